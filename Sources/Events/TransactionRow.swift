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

    public static let jsonKeys = JSONKeys(columns)

    @usableFromInline static let typeNames = Names(PaymentType.allCases.map(\.name))
    @usableFromInline static let cardTypeNames = Names(CardType.allCases.map(\.name))
    @usableFromInline static let brandNames = Names(CardBrand.allCases.map(\.name))
    @usableFromInline static let issuerNames = Names(CardProfile.issuerNames)

    /// Writes every column of `t` in order.
    @inlinable @inline(__always)
    public static func write<Format: RowFormat>(_ t: Transaction, to row: Format) {
        row.buffer.write(reserving: 18 * row.fieldOverhead + 256) { c in
            row.begin(0, quoted: true, &c); c.put("TXN"); c.put(digitsOf: Int(t.paymentNumber), width: 10); row.end(quoted: true, &c)
            row.begin(1, quoted: true, &c); c.put(timestamp: t.timestamp); row.end(quoted: true, &c)
            row.begin(2, quoted: false, &c); c.put(fixed: Int(t.latitudeE6), decimals: 6, divisor: 1_000_000)
            row.begin(3, quoted: false, &c); c.put(fixed: Int(t.longitudeE6), decimals: 6, divisor: 1_000_000)
            row.begin(4, quoted: false, &c); c.put(fixed: Int(t.amountCents), decimals: 2, divisor: 100)
            row.begin(5, quoted: true, &c); c.put(typeNames[Int(t.paymentType.rawValue)]); row.end(quoted: true, &c)
            row.begin(6, quoted: true, &c)
            c.put(UInt8(ascii: "T")); c.put(digitsOf: Int(t.merchantNumber), width: 6); c.put(digitsOf: Int(t.terminalIndex) + 1, width: 2)
            row.end(quoted: true, &c)
            row.begin(7, quoted: true, &c); c.put(cardTypeNames[Int(t.card.type.rawValue)]); row.end(quoted: true, &c)
            row.begin(8, quoted: true, &c); c.put(issuerNames[Int(t.card.issuer)]); row.end(quoted: true, &c)
            row.begin(9, quoted: true, &c); c.put(brandNames[Int(t.card.brand.rawValue)]); row.end(quoted: true, &c)
            row.begin(10, quoted: true, &c); c.put("CARD"); c.put(digitsOf: Int(t.card.number), width: 10); row.end(quoted: true, &c)
            row.begin(11, quoted: true, &c); c.put(digitsOf: Int(t.card.bin), width: 6); row.end(quoted: true, &c)
            row.begin(12, quoted: true, &c); c.put(t.approved ? "approved" : "declined"); row.end(quoted: true, &c)
            row.begin(13, quoted: true, &c); c.put(UInt8(ascii: "M")); c.put(digitsOf: Int(t.merchantNumber), width: 6); row.end(quoted: true, &c)
            row.begin(14, quoted: false, &c); c.put(rate: t.costRate)
            row.begin(15, quoted: false, &c); c.put(fixed: t.costCents, decimals: 2, divisor: 100)
            row.begin(16, quoted: false, &c); c.put(fixed: t.mdrCents, decimals: 2, divisor: 100)
            row.begin(17, quoted: false, &c); c.put(fixed: t.netProfitCents, decimals: 2, divisor: 100)
        }
    }
}

/// Short ASCII names kept as raw bytes for the life of the process.
public final class Names: @unchecked Sendable {
    @usableFromInline let bytes: [UnsafeRawBufferPointer]

    init(_ names: [String]) {
        bytes = names.map { name in
            let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: name.utf8.count, alignment: 1)
            storage.copyBytes(from: Array(name.utf8))
            return UnsafeRawBufferPointer(storage)
        }
    }

    @inlinable @inline(__always)
    subscript(index: Int) -> UnsafeRawBufferPointer { bytes[index] }
}
