import Simulation

/// How a record's value is encoded: the JSON object (the default), or Avro in the Confluent
/// wire format: magic byte 0, the value schema's 4-byte big-endian id in the Schema Registry,
/// then the Avro binary record (`AvroRecord`).
public enum ValueFormat: Sendable, Equatable {
    case json
    /// `schemaIds`: the registry's id of each stream's value schema, in `EventStream` order.
    case avro(schemaIds: [Int32])
}

extension KafkaRecord {
    /// The fields of each stream's value, in `EventStream` order.
    public static let valueFields = [MerchantRow.valueFields, TransactionRow.fields]

    /// Replaces `buffer`'s content with the value of a transaction in `format`.
    @inlinable @inline(__always)
    public static func encodeValue(of transaction: Transaction, into buffer: ByteBuffer, as format: ValueFormat) {
        switch format {
        case .json:
            encodeValue(of: transaction, into: buffer)
        case let .avro(schemaIds):
            startAvroValue(schemaId: schemaIds[EventStream.transactions.rawValue], in: buffer)
            TransactionRow.write(transaction, to: AvroRecord(buffer, fields: TransactionRow.fields))
        }
    }

    /// Replaces `buffer`'s content with the value of a merchant event in `format`.
    public static func encodeValue(of event: MerchantEvent, into buffer: ByteBuffer, as format: ValueFormat) {
        switch format {
        case .json:
            encodeValue(of: event, into: buffer)
        case let .avro(schemaIds):
            startAvroValue(schemaId: schemaIds[EventStream.merchants.rawValue], in: buffer)
            let record = AvroRecord(buffer, fields: MerchantRow.valueFields)
            MerchantRow.write(event.version, lastTransactionDate: event.lastTransactionDate, to: record)
            record.string(MerchantRow.eventTypeColumn, event.kind.rawValue)
        }
    }

    /// Empties `buffer` and writes the Confluent wire format's header: magic byte 0 and the schema id.
    @inlinable @inline(__always)
    static func startAvroValue(schemaId: Int32, in buffer: ByteBuffer) {
        buffer.removeAll()
        buffer.write(reserving: 5) { cursor in
            cursor.put(0)
            withUnsafeBytes(of: UInt32(bitPattern: schemaId).bigEndian) { cursor.put($0) }
        }
    }
}
