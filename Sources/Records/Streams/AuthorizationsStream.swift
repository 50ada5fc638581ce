import Simulation

/// The issuers' answers to the payments' authorization requests: `authorizations_<start>_<end>.csv`,
/// a row per payment, and topic `payments.authorizations`, a record per payment, at the payment's
/// time and with its key. The first part of the payment lifecycle (`--lifecycle`).
///
/// Its events are the day's transactions, each seen through its `AuthorizationResponse`, which
/// follows from the transaction, the seed and the scenario's decline shares alone: the stream
/// adds no state and changes no other stream's output.
public struct AuthorizationsStream: EventStream {
    /// The simulation's seed, from which each decline's response code is drawn.
    public let seed: UInt64
    /// The simulation's decline shares.
    public let scenario: LifecycleScenario

    public init(seed: UInt64, scenario: LifecycleScenario = .standard) {
        self.seed = seed
        self.scenario = scenario
    }

    public var name: String { "authorizations" }
    public var eventsNoun: String { "authorizations" }
    public var defaultTopic: String { "payments.authorizations" }
    public var valueFields: RecordFields { AuthorizationRow.fields }
    public var batchFile: BatchFile { BatchFile(stem: "authorizations", fields: AuthorizationRow.fields, writing: .eachEvent) }
    public var delivered: WritableKeyPath<PartialDay, Int> & Sendable { \PartialDay.authorizations }

    /// The `event_type` header of every authorization record.
    public static let eventType: StaticString = "authorization"

    @inlinable @inline(__always)
    public func eventType(of event: Transaction) -> StaticString { Self.eventType }

    @inlinable @inline(__always)
    public func encodeValue(of event: Transaction, into buffer: EncodingBuffer, as encoding: ValueEncoding) {
        let response = AuthorizationResponse.of(event, seed: seed, scenario: scenario)
        switch encoding {
        case .json:
            buffer.removeAll()
            let object = JSONObject(buffer, keys: AuthorizationRow.jsonKeys)
            AuthorizationRow.write(event, response: response, to: object)
            object.close()
        case let .avro(schemaId):
            ValueEncoding.startAvroValue(schemaId: schemaId, in: buffer)
            AuthorizationRow.write(event, response: response, to: AvroRecord(buffer, fields: AuthorizationRow.fields))
        }
    }

    @inlinable @inline(__always)
    public func writeRow(of event: Transaction, to line: CSVLine) {
        AuthorizationRow.write(event, response: AuthorizationResponse.of(event, seed: seed, scenario: scenario), to: line)
    }
}
