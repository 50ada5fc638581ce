import Simulation

/// Money merchants give back on approved payments: `refunds_<start>_<end>.csv` and topic
/// `payments.refunds`, a record per refund at the refund's time, keyed by the payment's merchant.
/// Part of the payment lifecycle (`--lifecycle`): a refund comes at least a day after its payment
/// (`RefundPolicy`), so the state keeps the refunds still to come (`pendingRefunds`), and a later
/// run gives those of its days.
public struct RefundsStream: EventStream {
    public init() {}

    public var name: String { "refunds" }
    public var eventsNoun: String { "refunds" }
    public var defaultTopic: String { "payments.refunds" }
    public var valueFields: RecordFields { RefundRow.fields }
    public var batchFile: BatchFile { BatchFile(stem: "refunds", fields: RefundRow.fields, writing: .eachEvent) }
    public var delivered: WritableKeyPath<PartialDay, Int> & Sendable { \PartialDay.refunds }

    /// The `event_type` header of every refund record.
    public static let eventType: StaticString = "refund"

    @inlinable @inline(__always)
    public func events(of day: DayEvents) -> [Refund] { day.refunds }

    @inlinable @inline(__always)
    public func eventTime(of event: Refund) -> Int64 { event.time }

    @inlinable @inline(__always)
    public func merchantNumber(of event: Refund) -> Int { Int(event.merchantNumber) }

    @inlinable @inline(__always)
    public func eventType(of event: Refund) -> StaticString { Self.eventType }

    @inlinable @inline(__always)
    public func encodeValue(of event: Refund, into buffer: EncodingBuffer, as encoding: ValueEncoding) {
        switch encoding {
        case .json:
            buffer.removeAll()
            let object = JSONObject(buffer, keys: RefundRow.jsonKeys)
            RefundRow.write(event, to: object)
            object.close()
        case let .avro(schemaId):
            ValueEncoding.startAvroValue(schemaId: schemaId, in: buffer)
            RefundRow.write(event, to: AvroRecord(buffer, fields: RefundRow.fields))
        }
    }

    @inlinable @inline(__always)
    public func writeRow(of event: Refund, to line: CSVLine) {
        RefundRow.write(event, to: line)
    }
}
