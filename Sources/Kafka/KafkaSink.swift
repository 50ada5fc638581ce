import Events
import Foundation
import Simulation
import Sinks

/// Publishes merchant events and transactions to their topics, keyed by merchant, stamped with
/// simulated event time (as a UTC instant) and with the record's identity (`replay_run`,
/// `replay_seq`). It chooses each record's partition itself, as the Java client does (murmur2 of
/// the key), and skips every event that the partition's newest record of this simulation shows is
/// already there: a re-run after any crash publishes each event exactly once. A shard of a
/// sharded run publishes only to the partitions it owns (`Shard.owns(partition:)`).
/// `makeDurable` returns only when Kafka acknowledged every event before it; it also warns when
/// retention dropped records this run sent (`RetentionWatch`), and fails when the cluster lost
/// records it had acknowledged or another process publishes the same simulation (`PublicationAudit`).
///
/// With disorder, transactions arrive as deliveries in mark order (`EventSlice.deliveries`): each
/// record carries its mark in `replay_delivery`, and the skip compares marks instead of places.
public final class KafkaSink: EventSink {
    private let producer: KafkaProducer
    private let key = ByteBuffer(capacity: 64)
    private let value = ByteBuffer(capacity: 4_096)
    /// `replay_seq`: the day's `YYYY-MM-DD/` prefix, written once per day, then the index.
    private let sequence = ByteBuffer(capacity: 64)
    private var sequenceDay: Day?
    private let run: ByteBuffer
    private let startedAt = Date()
    private let utcSecond: (Int64) -> Int64
    /// Each topic's partition count, from the cluster's metadata.
    public let partitionCounts: [Int]
    private let shard: Shard
    /// Per topic, per partition: what the partition holds of this simulation, and the newest record published in order.
    private var progress: [[PartitionProgress<RecordIdentity.Sequence>]]
    /// With disorder, per transactions partition: the same by delivery mark.
    private var deliveryProgress: [PartitionProgress<DeliveryMark>]
    /// With disorder, the run's epoch (in every `replay_delivery`).
    private let epoch: DeliveryEpoch?
    private let delivery = ByteBuffer(capacity: 64)
    /// Per topic: events skipped because the topic already held them (read by the metrics' thread too).
    private var skippedCounts: [Int]
    private let skippedLock = NSLock()
    private var skipped: [Int] { skippedLock.withLock { skippedCounts } }
    private let retention = RetentionWatch()
    private let audit: PublicationAudit
    private let valueFormat: ValueFormat

    /// `producer.topics` must be in `EventStream` order (merchants, transactions); `utcSecond` turns
    /// a simulated (local wall-clock) second into its UTC second; `progress` says what each
    /// partition of each topic holds (`PublishedHoldings`; empty where the shard does not own it);
    /// `deliveryProgress` likewise for the transactions topic of a run with disorder (its `progress`
    /// entry is then unused) and `epoch` its epoch; `endOffsets`, per topic and partition, where the
    /// partition ended when it was read back; `valueFormat`: JSON or Avro values.
    public init(producer: KafkaProducer, utcSecond: @escaping (Int64) -> Int64, runId: String,
                partitionCounts: [Int], progress: [[PartitionProgress<RecordIdentity.Sequence>]],
                deliveryProgress: [PartitionProgress<DeliveryMark>]? = nil, epoch: DeliveryEpoch? = nil, endOffsets: [[Int64?]] = [],
                shard: Shard = .whole, valueFormat: ValueFormat = .json) {
        precondition(partitionCounts.count == producer.topics.count && progress.map(\.count) == partitionCounts)
        self.producer = producer
        self.utcSecond = utcSecond
        self.partitionCounts = partitionCounts
        self.shard = shard
        self.progress = progress
        self.deliveryProgress = deliveryProgress
            ?? Array(repeating: .empty, count: partitionCounts[EventStream.transactions.rawValue])
        self.epoch = epoch
        self.valueFormat = valueFormat
        skippedCounts = Array(repeating: 0, count: partitionCounts.count)
        run = ByteBuffer(capacity: 64)
        run.append(runId)
        audit = PublicationAudit(producer: producer, runId: runId)
        producer.ledger.expect(endOffsets: endOffsets)
    }

    public func write(_ slice: EventSlice) throws {
        let day = slice.events.day
        if day != sequenceDay {
            RecordIdentity.encodeSequencePrefix(day: day, into: sequence)
            sequenceDay = day
        }
        for index in slice.merchantEvents {
            let event = slice.events.merchantEvents[index]
            KafkaRecord.encodeKey(of: event, into: key)
            let partition = partition(of: .merchants)
            if !shard.owns(partition: partition) || isHeld(.merchants, partition, day, index) { continue }
            KafkaRecord.encodeValue(of: event, into: value, as: valueFormat)
            try send(.merchants, partition, index, timestamp: event.timestamp, eventType: KafkaRecord.eventType(event.kind))
        }
        if let deliveries = slice.deliveries { return try write(deliveries) }
        try slice.events.transactions.withUnsafeBufferPointer { transactions in
            for index in slice.transactions {
                let transaction = transactions[index]
                KafkaRecord.encodeKey(merchantNumber: Int(transaction.merchantNumber), into: key)
                let partition = partition(of: .transactions)
                if !shard.owns(partition: partition) || isHeld(.transactions, partition, day, index) { continue }
                KafkaRecord.encodeValue(of: transaction, into: value, as: valueFormat)
                try send(.transactions, partition, index, timestamp: transaction.timestamp, eventType: KafkaRecord.transactionEventType)
            }
        }
    }

    /// Publishes transaction deliveries, each with its own day's `replay_seq` and its `replay_delivery`.
    private func write(_ deliveries: [Delivery]) throws {
        guard let epoch else { preconditionFailure("deliveries reach a Kafka sink made without a disorder epoch") }
        for item in deliveries {
            let mark = item.mark
            KafkaRecord.encodeKey(merchantNumber: Int(item.transaction.merchantNumber), into: key)
            let partition = partition(of: .transactions)
            if !shard.owns(partition: partition) || isHeld(mark, in: &deliveryProgress[Int(partition)], .transactions) { continue }
            KafkaRecord.encodeValue(of: item.transaction, into: value, as: valueFormat)
            if mark.day != sequenceDay {
                RecordIdentity.encodeSequencePrefix(day: mark.day, into: sequence)
                sequenceDay = mark.day
            }
            RecordIdentity.encodeDelivery(mark, of: epoch, into: delivery)
            try send(.transactions, partition, mark.index, timestamp: item.transaction.timestamp,
                     eventType: KafkaRecord.transactionEventType, delivery: delivery.bytes)
        }
    }

    public func makeDurable() throws {
        try producer.awaitAcknowledgements()
        try retention.checkpoint(producer, partitionCounts: partitionCounts)
        try audit.check(producer)
    }

    /// What every partition holds of the run now that it is durable, for a re-run to check.
    public func noteProgress(in record: inout RunRecord) {
        func text(_ sequence: RecordIdentity.Sequence?) -> String? { sequence?.description }
        func text(_ mark: DeliveryMark) -> String {
            RecordIdentity.encodeDelivery(mark, of: epoch!, into: delivery)
            return "\(RecordIdentity.Sequence(day: mark.day, index: mark.index)) \(String(decoding: delivery.bytes, as: UTF8.self))"
        }
        var newest = progress.map { $0.map { text($0.newestInOrder) } }
        var held = progress.map { partitions in
            partitions.enumerated().flatMap { partition, progress in progress.heldOutOfOrder.sorted().map { "\(partition) \($0)" } }
        }
        if epoch != nil {
            let transactions = EventStream.transactions.rawValue
            newest[transactions] = deliveryProgress.map { $0.newestInOrder.map(text) }
            held[transactions] = deliveryProgress.enumerated().flatMap { partition, progress in
                progress.heldOutOfOrder.sorted().map { "\(partition) \(text($0))" }
            }
        }
        // The newest record in order is the last this process had acknowledged in the partition, or the one it found there.
        var offsets = progress.enumerated().map { topic, partitions in
            let acknowledged = producer.ledger.acknowledgedOffsets(ofTopic: topic)
            return partitions.enumerated().map { partition, progress in
                (acknowledged.indices.contains(partition) ? acknowledged[partition]?.upperBound : nil) ?? progress.heldUpToOffset
            }
        }
        if epoch != nil {
            let transactions = EventStream.transactions.rawValue
            let acknowledged = producer.ledger.acknowledgedOffsets(ofTopic: transactions)
            offsets[transactions] = deliveryProgress.enumerated().map { partition, progress in
                (acknowledged.indices.contains(partition) ? acknowledged[partition]?.upperBound : nil) ?? progress.heldUpToOffset
            }
        }
        record.kafka?.publication = RunRecord.Publication(clusterId: audit.clusterId, newest: newest, offsets: offsets, held: held)
    }

    /// Before the run commits its completion: every partition still holds all this run was acknowledged.
    public func confirmDurable() throws {
        try retention.checkpoint(producer, partitionCounts: partitionCounts, thorough: true)
        try audit.check(producer)
    }

    public func close(completed: Bool) throws {
        if completed { retention.finish(producer, partitionCounts: partitionCounts) }
        producer.shutDown(flushTimeout: completed ? 30 : 5)
    }

    /// One line per topic: produced, acknowledged, failed, skipped, bytes, rate.
    public var summary: [String] {
        let seconds = max(Date().timeIntervalSince(startedAt), 1e-9)
        return figures.map { topic in
            let megabytes = Double(topic.acknowledgedBytes) / 1_048_576
            let already = topic.skipped > 0 ? ", skipped \(topic.skipped) already in the topic" : ""
            return "\(topic.topic): produced \(topic.produced), acknowledged \(topic.acknowledged), failed \(topic.failed)\(already), "
                + "\((megabytes * 10).rounded() / 10) MiB, \(Int(Double(topic.acknowledged) / seconds)) msg/s"
        }
    }

    /// Each topic's figures so far. Safe from any thread.
    public var figures: [TopicFigures] {
        zip(producer.counts, skipped).map {
            TopicFigures(topic: $0.topic, produced: $0.produced, acknowledged: $0.acknowledged, failed: $0.failed,
                         skipped: $1, acknowledgedBytes: $0.bytes)
        }
    }

    /// Messages waiting in librdkafka's queues. Safe from any thread.
    public var queueDepth: Int { producer.queueDepth }

    /// Brokers connected, nil until librdkafka reports them. Safe from any thread.
    public var brokersUp: Int? { producer.brokersUp }

    /// The partition of the key in `key`.
    @inline(__always)
    private func partition(of stream: EventStream) -> Int32 {
        KeyPartitioner.partition(ofKey: key.bytes, partitionCount: partitionCounts[stream.rawValue])
    }

    /// True when the partition already holds event `index` of `day` of `stream` (in-order delivery).
    @inline(__always)
    private func isHeld(_ stream: EventStream, _ partition: Int32, _ day: Day, _ index: Int) -> Bool {
        isHeld(RecordIdentity.Sequence(day: day, index: index), in: &progress[stream.rawValue][Int(partition)], stream)
    }

    /// True when a partition at `progress` already holds the event or delivery at `position`
    /// (counted as skipped); otherwise it becomes the partition's newest in order.
    @inline(__always)
    private func isHeld<Position>(_ position: Position, in progress: inout PartitionProgress<Position>, _ stream: EventStream) -> Bool {
        if progress.admits(position) { return false }
        skippedLock.withLock { skippedCounts[stream.rawValue] += 1 }
        return true
    }

    @inline(__always)
    private func send(_ stream: EventStream, _ partition: Int32, _ index: Int,
                      timestamp: Int64, eventType: StaticString, delivery: UnsafeRawBufferPointer? = nil) throws {
        RecordIdentity.completeSequence(index: index, in: sequence)
        try producer.produce(
            topic: stream.rawValue, partition: partition, key: key.bytes, value: value.bytes,
            timestampMilliseconds: KafkaRecord.timestampMilliseconds(utcSecond(timestamp)),
            headers: RecordHeaders(eventType: eventType, schemaVersion: KafkaRecord.schemaVersion,
                                   run: run.bytes, sequence: sequence.bytes, delivery: delivery))
    }
}

/// One topic's figures in a run.
public struct TopicFigures: Sendable {
    public let topic: String
    /// Queued to librdkafka.
    public let produced: Int
    public let acknowledged: Int
    public let failed: Int
    /// Not sent because the topic already held them.
    public let skipped: Int
    /// Key and value bytes acknowledged.
    public let acknowledgedBytes: Int
}
