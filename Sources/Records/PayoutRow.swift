import Simulation

/// The fields of `payouts_<start>_<end>.csv` and of a payout record's value, and how a `Payout`
/// fills them: what the acquirer owes a merchant for a settlement day.
public enum PayoutRow {
    public static let fields = RecordFields(
        name: "Payout",
        doc: "What the acquirer owes a merchant for one settlement day: approved payments less the merchant discount, refunds, chargebacks and dispute fees of the day, plus chargebacks reversed by disputes won that day. It reconciles to the cent with the day's rows of the other streams.",
        fields: [
            Field("payout_id", .text, pattern: "^PAY[0-9]{8}M[0-9]{6,}$",
                  doc: "Payout id: PAY, the settlement date's digits and the merchant id (PAY20240105M000123)."),
            Field("merchant_id", .text, pattern: "^M[0-9]{6,}$", doc: "The merchant paid: M and 6 digits (the record key too)."),
            Field("settlement_date", .date, doc: "The day whose events the payout settles, in the run's --timezone."),
            Field("payout_date", .date, doc: "The day the money moves: the day after the settlement date."),
            Field("payout_timestamp", .localTimestamp,
                  doc: "When the settlement batch closed: the settlement date's last second, wall-clock time in the run's --timezone. The Kafka record timestamp is the matching UTC instant."),
            Field("gross_amount", .money, doc: "The day's approved payments' payment_amount, summed, US dollars."),
            Field("mdr_amount", .money, doc: "Their mdr_amount, summed: the merchant discount the acquirer keeps."),
            Field("refund_amount", .money, doc: "The refund_amount of the merchant's refunds that day, summed."),
            Field("chargeback_amount", .money, doc: "The disputed_amount of the merchant's disputes opened that day, summed."),
            Field("dispute_fee_amount", .money, doc: "The dispute_fee of the merchant's disputes opened that day, summed."),
            Field("reversal_amount", .money, doc: "The disputed_amount of the merchant's disputes closed as won that day, summed: given back."),
            Field("net_amount", .money,
                  doc: "gross_amount − mdr_amount − refund_amount − chargeback_amount − dispute_fee_amount + reversal_amount; negative when the merchant owes the acquirer."),
            Field("item_count", .integer, doc: "The events settled: approved payments, refunds and dispute openings and closings."),
        ])

    /// The CSV header's columns.
    public static let columns = fields.names

    public static let jsonKeys = JSONKeys(columns)

    /// Writes every field of `payout`, in order (the order and types of `fields`).
    @inlinable @inline(__always)
    public static func write<Format: RowFormat>(_ payout: Payout, to row: Format) {
        row.buffer.write(reserving: 13 * row.fieldOverhead + 300) { c in
            row.text(0, &c) { cursor in
                let civil = payout.settlementDay.civil
                cursor.put("PAY")
                cursor.put(digitsOf: civil.year, width: 4)
                cursor.put(digitsOf: civil.month, width: 2)
                cursor.put(digitsOf: civil.day, width: 2)
                cursor.put(merchantId: Int(payout.merchantNumber))
            }
            row.text(1, &c) { $0.put(merchantId: Int(payout.merchantNumber)) }
            row.date(2, payout.settlementDay, &c)
            row.date(3, payout.payoutDate, &c)
            row.localTimestamp(4, seconds: payout.time, &c)
            row.money(5, cents: Int(payout.grossCents), &c)
            row.money(6, cents: Int(payout.mdrCents), &c)
            row.money(7, cents: Int(payout.refundCents), &c)
            row.money(8, cents: Int(payout.chargebackCents), &c)
            row.money(9, cents: Int(payout.disputeFeeCents), &c)
            row.money(10, cents: Int(payout.reversalCents), &c)
            row.money(11, cents: Int(payout.netCents), &c)
            row.integer(12, payout.items, &c)
        }
    }
}
