import Simulation

/// The fields of `refunds_<start>_<end>.csv` and of a refund record's value, and how a `Refund`
/// fills them: money a merchant gave back on an approved payment, some days after it.
public enum RefundRow {
    public static let fields = RecordFields(
        name: "Refund",
        doc: "Money a merchant gave back on an approved payment, at least a day after it: the whole payment or part of it.",
        fields: [
            Field("refund_id", .text, pattern: "^RFD[0-9]{10,}$",
                  doc: "Refund id: RFD and the payment's number in 10 digits (RFD0000000042 refunds TXN0000000042; a payment has at most one refund)."),
            Field("payment_id", .text, pattern: "^TXN[0-9]{10,}$", doc: "The payment refunded: TXN and 10 digits, as in the transactions stream."),
            Field("refund_timestamp", .localTimestamp,
                  doc: "When the refund happened: wall-clock time in the run's --timezone (default UTC), to the second, without offset. The Kafka record timestamp is the matching UTC instant."),
            Field("merchant_id", .text, pattern: "^M[0-9]{6,}$", doc: "The merchant that gave the money back: M and 6 digits (the record key too)."),
            Field("card_profile_id", .text, pattern: "^CARD[0-9]{10,}$", doc: "The card the money went back to, the payment's card."),
            Field("refund_amount", .money, doc: "Amount given back, US dollars, two decimals: from 0.01 to the payment_amount."),
            Field("payment_amount", .money, doc: "The refunded payment's amount, US dollars, two decimals."),
            Field("refund_type", .text, values: ["full", "partial"], doc: "full when refund_amount is the payment_amount, else partial."),
            Field("refund_reason", .text, values: RefundReason.allCases.map(\.name),
                  doc: "Why: returned_goods (full or partial), cancelled_order (full), duplicate_charge (full), price_adjustment (partial)."),
            Field("payment_timestamp", .localTimestamp, doc: "When the refunded payment happened, as in the transactions stream."),
        ])

    /// The CSV header's columns.
    public static let columns = fields.names

    public static let jsonKeys = JSONKeys(columns)

    @usableFromInline static let reasonNames = Names(RefundReason.allCases.map(\.name))

    /// Writes every field of `refund`, in order (the order and types of `fields`).
    @inlinable @inline(__always)
    public static func write<Format: RowFormat>(_ refund: Refund, to row: Format) {
        row.buffer.write(reserving: 10 * row.fieldOverhead + 200) { c in
            row.text(0, &c) { $0.put("RFD"); $0.put(digitsOf: Int(refund.paymentNumber), width: 10) }
            row.text(1, &c) { $0.put(paymentId: refund.paymentNumber) }
            row.localTimestamp(2, seconds: refund.time, &c)
            row.text(3, &c) { $0.put(merchantId: Int(refund.merchantNumber)) }
            row.text(4, &c) { $0.put(cardProfileId: refund.cardNumber) }
            row.money(5, cents: Int(refund.cents), &c)
            row.money(6, cents: Int(refund.paymentCents), &c)
            row.text(7, &c) { $0.put(refund.isPartial ? "partial" : "full") }
            row.text(8, &c) { $0.put(reasonNames[Int(refund.reason.rawValue)]) }
            row.localTimestamp(9, seconds: refund.paymentTime, &c)
        }
    }
}
