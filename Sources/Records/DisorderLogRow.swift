import Simulation

/// The fields of `disorder_<start>_<end>.csv`, the log of a run's late and duplicate deliveries:
/// one row per such delivery, so that a pipeline test can work out what its watermark should
/// keep or drop and which records it should deduplicate.
public enum DisorderLogRow {
    public static let fields = RecordFields(name: "Disorder", doc: "A transaction delivered late or a second time.", fields: [
        Field("payment_id", .text, pattern: "^TXN[0-9]{10,}$", doc: "The payment (the transactions file's payment_id)."),
        Field("merchant_id", .text, pattern: "^M[0-9]{6,}$", doc: "Its merchant (the record key)."),
        Field("event_time", .localTimestamp, doc: "When it happened: its payment_timestamp and its record's timestamp."),
        Field("delivered_at", .localTimestamp, doc: "When the stream delivers this record, on the simulated clock."),
        Field("kind", .text, values: [DeliveryKind.late.name, DeliveryKind.duplicate.name],
              doc: "late: its first delivery, after event_time; duplicate: its second delivery, shortly after the first."),
    ])

    /// The CSV header's columns.
    public static let columns = fields.names

    /// Writes the row of `transaction`'s delivery `kind` at `deliveredAt`.
    @inlinable
    public static func write<Format: RowFormat>(_ transaction: Transaction, deliveredAt: Int64, kind: DeliveryKind, to row: Format) {
        row.buffer.write(reserving: 5 * row.fieldOverhead + 96) { c in
            row.text(0, &c) { $0.put(paymentId: transaction.paymentNumber) }
            row.text(1, &c) { $0.put(merchantId: Int(transaction.merchantNumber)) }
            row.localTimestamp(2, seconds: transaction.timestamp, &c)
            row.localTimestamp(3, seconds: deliveredAt, &c)
            row.text(4, &c) { $0.put(kind.staticName) }
        }
    }
}
