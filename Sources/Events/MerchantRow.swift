import Simulation

/// The columns of `merchants_<start>_<end>.csv` (the spec's header, verbatim) and how a merchant
/// version fills them.
public enum MerchantRow {
    public static let columns = [
        "merchant_id", "merchant_name", "industry", "address", "city", "state", "zip_code", "phone", "email",
        "mdr_rate", "size_category", "creation_date", "effective_date", "status", "last_transaction_date", "version",
    ]

    public static let jsonKeys = JSONKeys(columns)

    /// Writes every column of `version`; `lastTransactionDate` is the merchant's, as of the
    /// moment the row describes.
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
        row.buffer.write(reserving: room) { row.begin(9, quoted: false, &$0); $0.put(rate: version.mdrRate) }
        row.string(10, version.size.name)
        row.buffer.write(reserving: 2 * room) { c in
            row.begin(11, quoted: true, &c); c.put(day: version.creationDate); row.end(quoted: true, &c)
            row.begin(12, quoted: true, &c); c.put(day: version.effectiveDate); row.end(quoted: true, &c)
        }
        row.string(13, version.status.rawValue)
        if let lastTransactionDate {
            row.buffer.write(reserving: room) { c in
                row.begin(14, quoted: true, &c); c.put(day: lastTransactionDate); row.end(quoted: true, &c)
            }
        } else {
            row.null(14)
        }
        row.buffer.write(reserving: room) { row.begin(15, quoted: false, &$0); $0.put(digitsOf: version.version) }
    }
}
