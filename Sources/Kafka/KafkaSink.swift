import Events
import Foundation
import Simulation
import Sinks

/// Publishes merchant events and transactions to their topics, keyed by merchant, stamped with
/// simulated event time (as a UTC instant). A checkpoint returns only when Kafka acknowledged every event before it.
public final class KafkaSink: EventSink {
    private let producer: KafkaProducer
    private let key = ByteBuffer(capacity: 64)
    private let value = ByteBuffer(capacity: 4_096)
    private let startedAt = Date()
    private let utcSecond: (Int64) -> Int64

    /// `producer.topics` must be in `EventStream` order (merchants, transactions); `utcSecond` turns
    /// a simulated (local wall-clock) second into its UTC second.
    public init(producer: KafkaProducer, utcSecond: @escaping (Int64) -> Int64) {
        self.producer = producer
        self.utcSecond = utcSecond
    }

    public func write(_ slice: EventSlice) throws {
        for index in slice.merchantEvents {
            let event = slice.events.merchantEvents[index]
            KafkaRecord.encodeKey(of: event, into: key)
            KafkaRecord.encodeValue(of: event, into: value)
            try send(.merchants, timestamp: event.timestamp, eventType: KafkaRecord.eventType(event.kind))
        }
        try slice.events.transactions.withUnsafeBufferPointer { transactions in
            for index in slice.transactions {
                let transaction = transactions[index]
                KafkaRecord.encodeKey(merchantNumber: Int(transaction.merchantNumber), into: key)
                KafkaRecord.encodeValue(of: transaction, into: value)
                try send(.transactions, timestamp: transaction.timestamp, eventType: KafkaRecord.transactionEventType)
            }
        }
    }

    public func checkpoint(_ state: SimulationState) throws {
        try producer.awaitAcknowledgements()
    }

    public func close(state: SimulationState, completed: Bool) throws {
        producer.shutDown(flushTimeout: completed ? 30 : 5)
    }

    /// One line per topic: produced, acknowledged, failed, bytes, rate.
    public var summary: [String] {
        let seconds = max(Date().timeIntervalSince(startedAt), 1e-9)
        return producer.counts.map { topic in
            let megabytes = Double(topic.bytes) / 1_048_576
            return "\(topic.topic): produced \(topic.produced), acknowledged \(topic.acknowledged), failed \(topic.failed), "
                + "\((megabytes * 10).rounded() / 10) MiB, \(Int(Double(topic.acknowledged) / seconds)) msg/s"
        }
    }

    @inline(__always)
    private func send(_ stream: EventStream, timestamp: Int64, eventType: StaticString) throws {
        try producer.produce(
            topic: stream.rawValue, key: key.bytes, value: value.bytes,
            timestampMilliseconds: KafkaRecord.timestampMilliseconds(utcSecond(timestamp)),
            eventType: eventType, schemaVersion: KafkaRecord.schemaVersion)
    }

}
