import Simulation

/// The merchants' changes: topic `payments.merchants`, a record per new version of a merchant
/// (created, updated, churned), and `merchants_<start>_<end>.csv`, every version in force during
/// the period, written when the period is complete (each row carries the merchant's last
/// transaction date as of the period's end).
public struct MerchantsStream: EventStream {
    public init() {}

    public var name: String { "merchants" }
    public var eventsNoun: String { "merchant events" }
    public var defaultTopic: String { "payments.merchants" }
    public var valueFields: RecordFields { MerchantRow.valueFields }
    public var batchFile: BatchFile { BatchFile(stem: "merchants", fields: MerchantRow.fields, writing: .atPeriodEnd) }
    public var delivered: WritableKeyPath<PartialDay, Int> & Sendable { \PartialDay.merchantEvents }

    public func events(of day: DayEvents) -> [MerchantEvent] { day.merchantEvents }

    public func eventTime(of event: MerchantEvent) -> Int64 { event.timestamp }

    /// The number in the version's `merchant_id` (`M000042` → 42), whose format merchants.json's check holds.
    public func merchantNumber(of event: MerchantEvent) -> Int { Int(event.version.merchantId.dropFirst())! }

    public func eventType(of event: MerchantEvent) -> StaticString {
        switch event.kind {
        case .created: "created"
        case .updated: "updated"
        case .churned: "churned"
        }
    }

    public func encodeValue(of event: MerchantEvent, into buffer: EncodingBuffer, as encoding: ValueEncoding) {
        switch encoding {
        case .json:
            buffer.removeAll()
            let object = JSONObject(buffer, keys: MerchantRow.jsonKeys)
            MerchantRow.write(event.version, lastTransactionDate: event.lastTransactionDate, to: object)
            object.string(MerchantRow.eventTypeColumn, event.kind.rawValue)
            object.close()
        case let .avro(schemaId):
            ValueEncoding.startAvroValue(schemaId: schemaId, in: buffer)
            let record = AvroRecord(buffer, fields: MerchantRow.valueFields)
            MerchantRow.write(event.version, lastTransactionDate: event.lastTransactionDate, to: record)
            record.string(MerchantRow.eventTypeColumn, event.kind.rawValue)
        }
    }

    public func writePeriodRows(of period: Period, state: SimulationState, to line: CSVLine, owns: (Int) -> Bool,
                                flush: () throws -> Void) throws {
        try period.forEachMerchantVersion(in: state) { version, merchant in
            guard owns(merchant.number) else { return }
            MerchantRow.write(version, lastTransactionDate: merchant.lastTransactionDate, to: line)
            line.buffer.write(reserving: 1) { $0.put(UInt8(ascii: "\n")) }
            try flush()
        }
    }
}
