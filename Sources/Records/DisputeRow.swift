import Simulation

/// The fields of `disputes_<start>_<end>.csv` and of a dispute record's value, and how a
/// `DisputeEvent` fills them: a row when a dispute is opened (the chargeback) and one when it is closed.
public enum DisputeRow {
    public static let fields = RecordFields(
        name: "DisputeEvent",
        doc: "A step of a cardholder's dispute of an approved payment: opened (the amount is charged back from the merchant, with a fee) or closed (won: the amount comes back; lost or accepted: the chargeback stands).",
        fields: [
            Field("dispute_id", .text, pattern: "^DSP[0-9]{10,}$",
                  doc: "Dispute id: DSP and the payment's number in 10 digits (DSP0000000042 disputes TXN0000000042; a payment has at most one dispute)."),
            Field("payment_id", .text, pattern: "^TXN[0-9]{10,}$", doc: "The payment disputed: TXN and 10 digits, as in the transactions stream."),
            Field("event_timestamp", .localTimestamp,
                  doc: "When this step happened: wall-clock time in the run's --timezone (default UTC), to the second, without offset. The Kafka record timestamp is the matching UTC instant."),
            Field("merchant_id", .text, pattern: "^M[0-9]{6,}$", doc: "The payment's merchant: M and 6 digits (the record key too)."),
            Field("card_profile_id", .text, pattern: "^CARD[0-9]{10,}$", doc: "The payment's card."),
            Field("dispute_stage", .text, values: DisputeEvent.Stage.allCases.map(\.name), doc: "opened or closed."),
            Field("reason_family", .text, values: DisputeReason.Family.allCases.map(\.name),
                  doc: "fraud, authorization, processing_error or consumer: the family of the reason code."),
            Field("reason_code", .text, values: DisputeReason.allCases.map(\.code),
                  doc: "Visa-style reason code: 10.3/10.4 fraud with the card present/absent, 11.3 no authorization, 12.5 incorrect amount, 12.6.1 duplicate processing, 13.1 not received, 13.3 not as described."),
            Field("disputed_amount", .money, doc: "The amount charged back from the merchant at the opening, US dollars: the payment_amount."),
            Field("dispute_fee", .money, doc: "The fee the merchant pays for the dispute, US dollars, charged at the opening and not returned."),
            Field("evidence_due_date", .date, doc: "The last day for the merchant's evidence: 30 days after the day the dispute was opened."),
            Field("outcome", .text, nullable: true, values: DisputeOutcome.allCases.map(\.name),
                  doc: "On the closing: won (the disputed amount comes back to the merchant), lost or accepted (it does not). Empty in the CSV and null in values on the opening."),
            Field("payment_amount", .money, doc: "The disputed payment's amount, US dollars."),
            Field("payment_timestamp", .localTimestamp, doc: "When the disputed payment happened, as in the transactions stream."),
        ])

    /// The CSV header's columns.
    public static let columns = fields.names

    public static let jsonKeys = JSONKeys(columns)

    @usableFromInline static let stageNames = Names(DisputeEvent.Stage.allCases.map(\.name))
    @usableFromInline static let familyNames = Names(DisputeReason.Family.allCases.map(\.name))
    @usableFromInline static let reasonCodes = Names(DisputeReason.allCases.map(\.code))
    @usableFromInline static let outcomeNames = Names(DisputeOutcome.allCases.map(\.name))

    /// Writes every field of `event`, in order (the order and types of `fields`).
    @inlinable @inline(__always)
    public static func write<Format: RowFormat>(_ event: DisputeEvent, to row: Format) {
        row.buffer.write(reserving: 11 * row.fieldOverhead + 220) { c in
            row.text(0, &c) { $0.put("DSP"); $0.put(digitsOf: Int(event.paymentNumber), width: 10) }
            row.text(1, &c) { $0.put(paymentId: event.paymentNumber) }
            row.localTimestamp(2, seconds: event.time, &c)
            row.text(3, &c) { $0.put(merchantId: Int(event.merchantNumber)) }
            row.text(4, &c) { $0.put(cardProfileId: event.cardNumber) }
            row.text(5, &c) { $0.put(stageNames[Int(event.stage.rawValue)]) }
            row.text(6, &c) { $0.put(familyNames[Int(event.reason.family.rawValue)]) }
            row.text(7, &c) { $0.put(reasonCodes[Int(event.reason.rawValue)]) }
            row.money(8, cents: Int(event.amountCents), &c)
            row.money(9, cents: Int(event.feeCents), &c)
            row.date(10, event.evidenceDueDate, &c)
        }
        if event.stage == .closed {
            row.buffer.write(reserving: row.fieldOverhead + 16) { c in row.text(11, &c) { $0.put(outcomeNames[Int(event.outcome.rawValue)]) } }
        } else {
            row.null(11)
        }
        row.buffer.write(reserving: 2 * row.fieldOverhead + 40) { c in
            row.money(12, cents: Int(event.paymentCents), &c)
            row.localTimestamp(13, seconds: event.paymentTime, &c)
        }
    }
}
