import Simulation

/// The columns of `merchants_<start>_<end>.csv` (the spec's header, verbatim) and how a merchant
/// version fills them.
public enum MerchantRow {
    public static let columns = [
        "merchant_id", "merchant_name", "industry", "address", "city", "state", "zip_code", "phone", "email",
        "mdr_rate", "size_category", "creation_date", "effective_date", "status", "last_transaction_date", "version",
    ]

    public static let jsonKeys = JSONObject.keys(for: columns)

    /// Writes every column of `version`; `lastTransactionDate` is the merchant's, as of the
    /// moment the row describes.
    public static func write<Format: RowFormat>(_ version: MerchantVersion, lastTransactionDate: Day?, to row: inout Format) {
        row.string(0, version.merchantId)
        row.string(1, version.name)
        row.string(2, version.industry)
        row.string(3, version.address)
        row.string(4, version.city)
        row.string(5, version.state)
        row.string(6, version.zipCode)
        row.string(7, version.phone)
        row.string(8, version.email)
        row.raw(9, isNumber: true) { $0.append(rate: version.mdrRate) }
        row.string(10, version.size.name)
        row.raw(11, isNumber: false) { $0.append(day: version.creationDate) }
        row.raw(12, isNumber: false) { $0.append(day: version.effectiveDate) }
        row.string(13, version.status.rawValue)
        if let lastTransactionDate {
            row.raw(14, isNumber: false) { $0.append(day: lastTransactionDate) }
        } else {
            row.null(14)
        }
        row.raw(15, isNumber: true) { $0.append(digitsOf: version.version) }
    }
}
