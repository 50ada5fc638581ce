import Simulation

/// The card payments merchants take: `transactions_<start>_<end>.csv`, a row per payment as it
/// happens, and topic `payments.transactions`, a record per payment (per delivery, with late and
/// duplicate delivery: see `Delivery`).
public struct TransactionsStream: EventStream {
    public init() {}

    public var name: String { "transactions" }
    public var eventsNoun: String { "transactions" }
    public var defaultTopic: String { "payments.transactions" }
    public var valueFields: RecordFields { TransactionRow.fields }
    public var batchFile: BatchFile { BatchFile(stem: "transactions", fields: TransactionRow.fields, writing: .eachEvent) }
    public var delivered: WritableKeyPath<PartialDay, Int> & Sendable { \PartialDay.transactions }

    /// The `event_type` header of every transaction record.
    public static let eventType: StaticString = "transaction"

    @inlinable @inline(__always)
    public func eventType(of event: Transaction) -> StaticString { Self.eventType }

    @inlinable @inline(__always)
    public func encodeValue(of event: Transaction, into buffer: EncodingBuffer, as encoding: ValueEncoding) {
        switch encoding {
        case .json:
            buffer.removeAll()
            let object = JSONObject(buffer, keys: TransactionRow.jsonKeys)
            TransactionRow.write(event, to: object)
            object.close()
        case let .avro(schemaId):
            ValueEncoding.startAvroValue(schemaId: schemaId, in: buffer)
            TransactionRow.write(event, to: AvroRecord(buffer, fields: TransactionRow.fields))
        }
    }

    @inlinable @inline(__always)
    public func writeRow(of event: Transaction, to line: CSVLine) { TransactionRow.write(event, to: line) }
}

/// A stream whose events are the day's transactions, one each (the payments themselves, and what
/// the lifecycle tells of each, such as its authorization): their order, times and keys are the
/// transactions'.
extension EventStream where Event == Transaction {
    @inlinable
    public func events(of day: DayEvents) -> [Transaction] { day.transactions }

    @inlinable @inline(__always)
    public func eventTime(of event: Transaction) -> Int64 { event.timestamp }

    @inlinable @inline(__always)
    public func merchantNumber(of event: Transaction) -> Int { Int(event.merchantNumber) }
}
