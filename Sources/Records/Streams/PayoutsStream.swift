import Simulation

/// What merchants are owed: `payouts_<start>_<end>.csv` and topic `payments.payouts`, a record per
/// merchant per settlement day at the day's last second, keyed by `merchant_id`. Part of the
/// payment lifecycle (`--lifecycle`): made from the day's own events when it closes, so it adds
/// no state.
public struct PayoutsStream: EventStream {
    public init() {}

    public var name: String { "payouts" }
    public var eventsNoun: String { "payouts" }
    public var defaultTopic: String { "payments.payouts" }
    public var valueFields: RecordFields { PayoutRow.fields }
    public var batchFile: BatchFile { BatchFile(stem: "payouts", fields: PayoutRow.fields, writing: .eachEvent) }
    public var delivered: WritableKeyPath<PartialDay, Int> & Sendable { \PartialDay.payouts }

    /// The `event_type` header of every payout record.
    public static let eventType: StaticString = "payout"

    @inlinable @inline(__always)
    public func events(of day: DayEvents) -> [Payout] { day.payouts }

    @inlinable @inline(__always)
    public func eventTime(of event: Payout) -> Int64 { event.time }

    @inlinable @inline(__always)
    public func merchantNumber(of event: Payout) -> Int { Int(event.merchantNumber) }

    @inlinable @inline(__always)
    public func eventType(of event: Payout) -> StaticString { Self.eventType }

    @inlinable @inline(__always)
    public func encodeValue(of event: Payout, into buffer: EncodingBuffer, as encoding: ValueEncoding) {
        switch encoding {
        case .json:
            buffer.removeAll()
            let object = JSONObject(buffer, keys: PayoutRow.jsonKeys)
            PayoutRow.write(event, to: object)
            object.close()
        case let .avro(schemaId):
            ValueEncoding.startAvroValue(schemaId: schemaId, in: buffer)
            PayoutRow.write(event, to: AvroRecord(buffer, fields: PayoutRow.fields))
        }
    }

    @inlinable @inline(__always)
    public func writeRow(of event: Payout, to line: CSVLine) {
        PayoutRow.write(event, to: line)
    }
}
