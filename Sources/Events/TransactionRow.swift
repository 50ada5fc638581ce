import Simulation

/// The columns of `transactions_<start>_<end>.csv` (the spec's header, verbatim) and how a
/// `Transaction` fills them.
public enum TransactionRow {
    public static let columns = [
        "payment_id", "payment_timestamp", "payment_lat", "payment_lng", "payment_amount", "payment_type",
        "terminal_id", "card_type", "card_issuer", "card_brand", "card_profile_id", "card_bin",
        "payment_status", "merchant_id", "transactional_cost_rate", "transactional_cost_amount",
        "mdr_amount", "net_profit",
    ]

    public static let jsonKeys = JSONObject.keys(for: columns)

    private static let typeNames = PaymentType.allCases.map { Array($0.name.utf8) }
    private static let cardTypeNames = CardType.allCases.map { Array($0.name.utf8) }
    private static let brandNames = CardBrand.allCases.map { Array($0.name.utf8) }
    private static let issuerNames = CardProfile.issuerNames.map { Array($0.utf8) }

    /// Writes every column of `t` in order.
    @inline(__always)
    public static func write<Format: RowFormat>(_ t: Transaction, to row: inout Format) {
        row.raw(0, isNumber: false) { $0.append(ascii: "TXN"); $0.append(digitsOf: Int(t.paymentNumber), width: 10) }
        row.raw(1, isNumber: false) { $0.append(timestamp: t.timestamp) }
        row.raw(2, isNumber: true) { $0.append(fixed: Int(t.latitudeE6), decimals: 6, divisor: 1_000_000) }
        row.raw(3, isNumber: true) { $0.append(fixed: Int(t.longitudeE6), decimals: 6, divisor: 1_000_000) }
        row.raw(4, isNumber: true) { $0.append(fixed: Int(t.amountCents), decimals: 2, divisor: 100) }
        row.raw(5, isNumber: false) { $0.append(contentsOf: typeNames[Int(t.paymentType.rawValue)]) }
        row.raw(6, isNumber: false) { appendTerminalId(merchant: Int(t.merchantNumber), terminal: Int(t.terminalIndex), to: &$0) }
        row.raw(7, isNumber: false) { $0.append(contentsOf: cardTypeNames[Int(t.card.type.rawValue)]) }
        row.raw(8, isNumber: false) { $0.append(contentsOf: issuerNames[Int(t.card.issuer)]) }
        row.raw(9, isNumber: false) { $0.append(contentsOf: brandNames[Int(t.card.brand.rawValue)]) }
        row.raw(10, isNumber: false) { $0.append(ascii: "CARD"); $0.append(digitsOf: Int(t.card.number), width: 10) }
        row.raw(11, isNumber: false) { $0.append(digitsOf: Int(t.card.bin), width: 6) }
        row.raw(12, isNumber: false) { $0.append(ascii: t.approved ? "approved" : "declined") }
        row.raw(13, isNumber: false) { $0.append(UInt8(ascii: "M")); $0.append(digitsOf: Int(t.merchantNumber), width: 6) }
        row.raw(14, isNumber: true) { $0.append(rate: t.costRate) }
        row.raw(15, isNumber: true) { $0.append(fixed: t.costCents, decimals: 2, divisor: 100) }
        row.raw(16, isNumber: true) { $0.append(fixed: t.mdrCents, decimals: 2, divisor: 100) }
        row.raw(17, isNumber: true) { $0.append(fixed: t.netProfitCents, decimals: 2, divisor: 100) }
    }

    /// `T`, the merchant's six-digit number and a two-digit terminal number (`T00004203`).
    @inline(__always)
    static func appendTerminalId(merchant: Int, terminal: Int, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "T"))
        bytes.append(digitsOf: merchant, width: 6)
        bytes.append(digitsOf: terminal + 1, width: 2)
    }
}
