import Simulation

/// The fields of `merchants_<start>_<end>.csv` (the spec's header, verbatim) and of a merchant
/// record's value, and how a merchant version fills them.
public enum MerchantRow {
    public static let fields = RecordFields(name: "Merchant", doc: "One version of a merchant.", fields: [
        Field("merchant_id", .text, pattern: "^M[0-9]{6,}$", doc: "The merchant: M and 6 digits (the record key too)."),
        Field("merchant_name", .text, doc: "Trading name."),
        Field("industry", .text, doc: "One of 16 industries."),
        Field("address", .text, doc: "Street address."),
        Field("city", .text, doc: "US city."),
        Field("state", .text, pattern: "^[A-Z]{2}$", doc: "Two-letter US state code."),
        Field("zip_code", .text, pattern: "^[0-9]{5}$", doc: "Five-digit US ZIP code (a string: it may start with 0)."),
        Field("phone", .text, doc: "Phone number with the city's area code."),
        Field("email", .text, doc: "Contact e-mail address."),
        Field("mdr_rate", .rate, doc: "Merchant discount rate: the share of each approved payment the merchant pays (e.g. 0.0325)."),
        Field("size_category", .text, values: SizeCategory.allCases.map(\.name), doc: "Size, which sets the MDR range, terminals and transaction counts."),
        Field("creation_date", .date, doc: "Day the merchant joined, in the run's --timezone."),
        Field("effective_date", .date, doc: "Day this version took effect, in the run's --timezone."),
        Field("status", .text, values: MerchantStatus.allCases.map(\.rawValue), doc: "churned: the merchant's last version; it no longer transacts."),
        Field("last_transaction_date", .date, nullable: true,
              doc: "Day of the merchant's last transaction (in the CSV as of the file's period end, on Kafka as of the event); empty in the CSV and null in values when it never transacted."),
        Field("version", .integer, doc: "Version number, from 1; each change of the merchant adds one."),
    ])

    /// The CSV header's columns.
    public static let columns = fields.names

    /// A merchant record's value: the CSV row's fields, then `event_type`.
    public static let valueFields = fields.adding(name: "MerchantEvent", doc: "A merchant event: the merchant's new version and what happened.", [
        Field("event_type", .text, values: MerchantEvent.Kind.allCases.map(\.rawValue),
              doc: "created: the merchant's first version; updated: an attribute changed; churned: the merchant left."),
    ])

    /// The column of `event_type` in `valueFields`.
    public static let eventTypeColumn = columns.count

    public static let jsonKeys = JSONKeys(valueFields.names)

    /// Writes every CSV field of `version` (the order and types of `fields`); `lastTransactionDate`
    /// is the merchant's, as of the moment the row describes.
    public static func write<Format: RowFormat>(_ version: MerchantVersion, lastTransactionDate: Day?, to row: Format) {
        let room = row.fieldOverhead + 24
        row.string(0, version.merchantId)
        row.string(1, version.name)
        row.string(2, version.industry)
        row.string(3, version.address)
        row.string(4, version.city)
        row.string(5, version.state)
        row.string(6, version.zipCode)
        row.string(7, version.phone)
        row.string(8, version.email)
        row.buffer.write(reserving: room) { row.rate(9, tenThousandths: version.mdrRate, &$0) }
        row.string(10, version.size.name)
        row.buffer.write(reserving: 2 * room) { c in
            row.date(11, version.creationDate, &c)
            row.date(12, version.effectiveDate, &c)
        }
        row.string(13, version.status.rawValue)
        if let lastTransactionDate {
            row.buffer.write(reserving: room) { row.date(14, lastTransactionDate, &$0) }
        } else {
            row.null(14)
        }
        row.buffer.write(reserving: room) { row.integer(15, version.version, &$0) }
    }
}
