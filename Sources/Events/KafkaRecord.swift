import Simulation

/// The two event streams and what their records carry.
public enum EventStream: Int, CaseIterable, Sendable {
    case merchants = 0
    case transactions = 1
}

/// How a domain event becomes a Kafka record: key = `merchant_id`; value = a JSON object with
/// the CSV row's columns (same names, same values; numbers as JSON numbers), plus `event_type`
/// on merchant events (or the same fields in Avro, see `ValueFormat`); timestamp = the event's simulated time as a UTC instant, in milliseconds; headers
/// `event_type` and `schema_version`.
public enum KafkaRecord {
    /// Version of the value layout, sent in the `schema_version` header.
    public static let schemaVersion: StaticString = "1"
    /// The `event_type` header of transaction records.
    public static let transactionEventType: StaticString = "transaction"

    /// The `event_type` header of a merchant event: its kind's raw value (which the value carries too), as static text.
    public static func eventType(_ kind: MerchantEvent.Kind) -> StaticString {
        switch kind {
        case .created: "created"
        case .updated: "updated"
        case .churned: "churned"
        }
    }

    /// Replaces `buffer`'s content with the JSON value of a transaction.
    @inlinable @inline(__always)
    public static func encodeValue(of transaction: Transaction, into buffer: ByteBuffer) {
        buffer.removeAll()
        let object = JSONObject(buffer, keys: TransactionRow.jsonKeys)
        TransactionRow.write(transaction, to: object)
        object.close()
    }

    /// Replaces `buffer`'s content with the JSON value of a merchant event.
    public static func encodeValue(of event: MerchantEvent, into buffer: ByteBuffer) {
        buffer.removeAll()
        let object = JSONObject(buffer, keys: MerchantRow.jsonKeys)
        MerchantRow.write(event.version, lastTransactionDate: event.lastTransactionDate, to: object)
        object.string(MerchantRow.eventTypeColumn, event.kind.rawValue)
        object.close()
    }

    /// Replaces `buffer`'s content with the key of a merchant's records (`M000042`).
    @inlinable @inline(__always)
    public static func encodeKey(merchantNumber: Int, into buffer: ByteBuffer) {
        buffer.removeAll()
        buffer.write(reserving: 24) { $0.put(merchantId: merchantNumber) }
    }

    /// Replaces `buffer`'s content with the key of a merchant event (its `merchant_id`).
    public static func encodeKey(of event: MerchantEvent, into buffer: ByteBuffer) {
        buffer.removeAll()
        buffer.append(event.version.merchantId)
    }

    /// Milliseconds since 1970-01-01T00:00:00Z of a UTC second.
    @inlinable @inline(__always)
    public static func timestampMilliseconds(_ simulatedSecond: Int64) -> Int64 { simulatedSecond * 1_000 }
}
