import Simulation

/// Cardholders' disputes of approved payments: `disputes_<start>_<end>.csv` and topic
/// `payments.disputes`, a record when a dispute is opened and one when it is closed, keyed by the
/// payment's merchant. Part of the payment lifecycle (`--lifecycle`): both steps are decided with
/// the payment (`DisputePolicy`) and wait in the state (`pendingDisputes`) until their days.
public struct DisputesStream: EventStream {
    public init() {}

    public var name: String { "disputes" }
    public var eventsNoun: String { "dispute events" }
    public var defaultTopic: String { "payments.disputes" }
    public var valueFields: RecordFields { DisputeRow.fields }
    public var batchFile: BatchFile { BatchFile(stem: "disputes", fields: DisputeRow.fields, writing: .eachEvent) }
    public var delivered: WritableKeyPath<PartialDay, Int> & Sendable { \PartialDay.disputes }

    @inlinable @inline(__always)
    public func events(of day: DayEvents) -> [DisputeEvent] { day.disputes }

    @inlinable @inline(__always)
    public func eventTime(of event: DisputeEvent) -> Int64 { event.time }

    @inlinable @inline(__always)
    public func merchantNumber(of event: DisputeEvent) -> Int { Int(event.merchantNumber) }

    /// `dispute_opened` or `dispute_closed`.
    @inlinable @inline(__always)
    public func eventType(of event: DisputeEvent) -> StaticString { event.stage == .opened ? "dispute_opened" : "dispute_closed" }

    @inlinable @inline(__always)
    public func encodeValue(of event: DisputeEvent, into buffer: EncodingBuffer, as encoding: ValueEncoding) {
        switch encoding {
        case .json:
            buffer.removeAll()
            let object = JSONObject(buffer, keys: DisputeRow.jsonKeys)
            DisputeRow.write(event, to: object)
            object.close()
        case let .avro(schemaId):
            ValueEncoding.startAvroValue(schemaId: schemaId, in: buffer)
            DisputeRow.write(event, to: AvroRecord(buffer, fields: DisputeRow.fields))
        }
    }

    @inlinable @inline(__always)
    public func writeRow(of event: DisputeEvent, to line: CSVLine) {
        DisputeRow.write(event, to: line)
    }
}
