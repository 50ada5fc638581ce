import Simulation

/// The fields of `transactions_<start>_<end>.csv` (the spec's header, verbatim) and of a
/// transaction record's value, and how a `Transaction` fills them.
public enum TransactionRow {
    public static let fields = RecordFields(name: "Transaction", doc: "One card payment taken by a merchant's terminal.", fields: [
        Field("payment_id", .text, pattern: "^TXN[0-9]{10,}$",
              doc: "Payment id: TXN and 10 digits, handed out in event-time order; never repeats in one simulation."),
        Field("payment_timestamp", .localTimestamp,
              doc: "When the payment happened: wall-clock time in the run's --timezone (default UTC), to the second, without offset. The Kafka record timestamp is the matching UTC instant."),
        Field("payment_lat", .coordinate, doc: "Latitude of the merchant's city, degrees north (WGS 84), six decimals."),
        Field("payment_lng", .coordinate, doc: "Longitude of the merchant's city, degrees east (WGS 84, negative in the US), six decimals."),
        Field("payment_amount", .money, doc: "Amount charged, US dollars, two decimals."),
        Field("payment_type", .text, values: PaymentType.allCases.map(\.name), doc: "How the card was presented."),
        Field("terminal_id", .text, pattern: "^T[0-9]{8,}$",
              doc: "Terminal that took the payment: T, the merchant number (6 digits) and the terminal number (2 digits)."),
        Field("card_type", .text, values: CardType.allCases.map(\.name), doc: "Card type."),
        Field("card_issuer", .text, values: CardProfile.issuerNames, doc: "Bank (or network) that issued the card."),
        Field("card_brand", .text, values: CardBrand.allCases.map(\.name), doc: "Card network."),
        Field("card_profile_id", .text, pattern: "^CARD[0-9]{10,}$", doc: "The card: CARD and 10 digits; a reused card keeps its id."),
        Field("card_bin", .text, pattern: "^[0-9]{6}$", doc: "Bank identification number: the card number's first six digits (a string: it may start with 0)."),
        Field("payment_status", .text, values: ["approved", "declined"], doc: "Whether the payment was approved; a declined one carries 0.00 fees."),
        Field("merchant_id", .text, pattern: "^M[0-9]{6,}$", doc: "The merchant: M and 6 digits (the record key too)."),
        Field("transactional_cost_rate", .rate, doc: "Share of the amount the card network charges by card type (credit 0.018, debit 0.005, prepaid 0.012)."),
        Field("transactional_cost_amount", .money,
              doc: "payment_amount × transactional_cost_rate, rounded half up to the cent, US dollars; 0.00 when declined."),
        Field("mdr_amount", .money, doc: "payment_amount × the merchant's mdr_rate, rounded half up to the cent, US dollars; 0.00 when declined."),
        Field("net_profit", .money, doc: "mdr_amount − transactional_cost_amount, US dollars."),
    ])

    /// The CSV header's columns.
    public static let columns = fields.names

    public static let jsonKeys = JSONKeys(columns)

    @usableFromInline static let typeNames = Names(PaymentType.allCases.map(\.name))
    @usableFromInline static let cardTypeNames = Names(CardType.allCases.map(\.name))
    @usableFromInline static let brandNames = Names(CardBrand.allCases.map(\.name))
    @usableFromInline static let issuerNames = Names(CardProfile.issuerNames)

    /// Writes every field of `t` in order (the order and types of `fields`).
    @inlinable @inline(__always)
    public static func write<Format: RowFormat>(_ t: Transaction, to row: Format) {
        row.buffer.write(reserving: 18 * row.fieldOverhead + 256) { c in
            row.text(0, &c) { $0.put(paymentId: t.paymentNumber) }
            row.localTimestamp(1, seconds: t.timestamp, &c)
            row.coordinate(2, millionths: Int(t.latitudeE6), &c)
            row.coordinate(3, millionths: Int(t.longitudeE6), &c)
            row.money(4, cents: Int(t.amountCents), &c)
            row.text(5, &c) { $0.put(typeNames[Int(t.paymentType.rawValue)]) }
            row.text(6, &c) { $0.put(terminalOf: t) }
            row.text(7, &c) { $0.put(cardTypeNames[Int(t.card.type.rawValue)]) }
            row.text(8, &c) { $0.put(issuerNames[Int(t.card.issuer)]) }
            row.text(9, &c) { $0.put(brandNames[Int(t.card.brand.rawValue)]) }
            row.text(10, &c) { $0.put(cardProfileId: t.card.number) }
            row.text(11, &c) { $0.put(digitsOf: Int(t.card.bin), width: 6) }
            row.text(12, &c) { $0.put(t.approved ? "approved" : "declined") }
            row.text(13, &c) { $0.put(merchantId: Int(t.merchantNumber)) }
            row.rate(14, tenThousandths: t.costRate, &c)
            row.money(15, cents: t.costCents, &c)
            row.money(16, cents: t.mdrCents, &c)
            row.money(17, cents: t.netProfitCents, &c)
        }
    }
}

extension ByteCursor {
    /// A `payment_id`: `TXN` and the payment number in 10 digits.
    @inlinable @inline(__always)
    public mutating func put(paymentId number: Int64) {
        put("TXN")
        put(digitsOf: Int(number), width: 10)
    }

    /// The `terminal_id` of the terminal that took `t`: `T`, the merchant number in 6 digits and
    /// the terminal number (from 1) in 2.
    @inlinable @inline(__always)
    public mutating func put(terminalOf t: Transaction) {
        put(UInt8(ascii: "T"))
        put(digitsOf: Int(t.merchantNumber), width: 6)
        put(digitsOf: Int(t.terminalIndex) + 1, width: 2)
    }

    /// A `card_profile_id`: `CARD` and the card number in 10 digits.
    @inlinable @inline(__always)
    public mutating func put(cardProfileId number: Int64) {
        put("CARD")
        put(digitsOf: Int(number), width: 10)
    }

    /// A `merchant_id` (the records' key): `M` and the merchant number in 6 digits.
    @inlinable @inline(__always)
    public mutating func put(merchantId number: Int) {
        put(UInt8(ascii: "M"))
        put(digitsOf: number, width: 6)
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
