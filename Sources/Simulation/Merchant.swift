/// One version of a merchant: the row of `merchants_<start>_<end>.csv` less
/// `last_transaction_date`, which belongs to the merchant, not the version.
public struct MerchantVersion: Equatable, Sendable {
    public var merchantId: String
    public var name: String
    public var industry: String
    public var address: String
    public var city: String
    public var state: String
    public var zipCode: String
    public var phone: String
    public var email: String
    /// Merchant discount rate in ten-thousandths (325 = 0.0325).
    public var mdrRate: Int
    public var size: SizeCategory
    public var creationDate: Day
    public var effectiveDate: Day
    public var status: MerchantStatus
    public var version: Int
}

public enum MerchantStatus: String, CaseIterable, Codable, Sendable {
    case active
    case churned
}

/// Everything the simulation knows of one merchant: its version history and the facts that
/// do not appear in the CSV (location, terminals, last transaction).
public struct Merchant: Equatable, Sendable {
    /// The number in the id (`M000042` is 42).
    public var number: Int
    /// Every version, oldest first; the last one is current.
    public var versions: [MerchantVersion]
    /// Where the merchant is, in millionths of a degree.
    public var latitudeE6: Int32
    public var longitudeE6: Int32
    public var terminalCount: Int
    public var lastTransactionDate: Day?

    public var current: MerchantVersion { versions[versions.count - 1] }
    public var isActive: Bool { current.status == .active }

    /// `M` and six digits (more once the counter passes 999,999).
    public static func id(number: Int) -> String {
        "M" + String(zeroPadded: number, width: 6)
    }
}
