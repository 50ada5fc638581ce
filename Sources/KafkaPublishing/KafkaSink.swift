import KafkaClient
import Records
import Foundation
import Simulation
import Checkpoints
import Synchronization

/// Publishes every stream's events to its topic (the run's streams, in order: topic `i` is stream
/// `i`'s), keyed by merchant, stamped with simulated event time (as a UTC instant) and with the
/// record's identity (`replay_run`, `replay_seq`). It chooses each record's partition itself, as
/// the Java client does (murmur2 of the key), and skips every event that the partition's newest
/// record of this simulation shows is already there: a re-run after any crash publishes each event
/// exactly once. A shard of a sharded run publishes only to the partitions it owns
/// (`Shard.owns(partition:)`). `makeDurable` returns only when Kafka acknowledged every event
/// before it; it also warns when retention dropped records this run sent (`RetentionWatch`), and
/// fails when the cluster lost records it had acknowledged or another process publishes the same
/// simulation (`PublicationAudit`).
///
/// With disorder, the delivered stream's events arrive as deliveries in mark order
/// (`EventSlice.deliveries`): each record carries its mark in `replay_delivery`, and the skip
/// compares marks instead of places.
public final class KafkaSink: EventSink, RecordWriter {
    private let producer: KafkaProducer
    private let streams: [any EventStream]
    private let key = EncodingBuffer(capacity: 64)
    private let value = EncodingBuffer(capacity: 4_096)
    /// `replay_seq`: the day's `YYYY-MM-DD/` prefix, written once per day, then the index.
    private let sequence = EncodingBuffer(capacity: 64)
    private var sequenceDay: Day?
    private let run: EncodingBuffer
    private let startedAt = Date()
    private let utcSecond: (Int64) -> Int64
    /// Each topic's partition count, from the cluster's metadata.
    public let partitionCounts: [Int]
    private let shard: Shard
    /// Per topic, per partition: what the partition holds of this simulation, and the newest record published in order.
    private var progress: [[PartitionProgress<EventPosition>]]
    /// With disorder, per partition of the delivered stream's topic: the same by delivery mark.
    private var deliveryProgress: [PartitionProgress<DeliveryMark>]
    /// With disorder, the run's epoch (in every `replay_delivery`).
    private let epoch: DeliveryEpoch?
    private let delivery = EncodingBuffer(capacity: 64)
    /// Per topic: events skipped because the topic already held them (read by the metrics' thread too).
    private let skipped: SkipCounts
    private let retention = RetentionWatch()
    private let audit: PublicationAudit
    private let valueFormat: ValueFormat
    /// The stream and day whose records `writeRecords` is handing over, and the partition of the last key admitted.
    private var current = (stream: 0, day: Day(ordinal: 0), partition: Int32(0))

    /// `producer.topics` must be in `streams` order; `utcSecond` turns a simulated (local
    /// wall-clock) second into its UTC second; `progress` says what each partition of each topic
    /// holds (`PublishedHoldings`; empty where the shard does not own it); `deliveryProgress`
    /// likewise for the delivered stream's topic of a run with disorder (its `progress` entry is
    /// then unused) and `epoch` its epoch; `endOffsets`, per topic and partition, where the
    /// partition ended when it was read back; `valueFormat`: JSON or Avro values.
    public init(producer: KafkaProducer, streams: [any EventStream], utcSecond: @escaping (Int64) -> Int64, runId: String,
                partitionCounts: [Int], progress: [[PartitionProgress<EventPosition>]],
                deliveryProgress: [PartitionProgress<DeliveryMark>]? = nil, epoch: DeliveryEpoch? = nil, endOffsets: [[Int64?]] = [],
                shard: Shard = .whole, valueFormat: ValueFormat = .json) {
        precondition(partitionCounts.count == producer.topics.count && streams.count == producer.topics.count
            && progress.map(\.count) == partitionCounts)
        self.producer = producer
        self.streams = streams
        self.utcSecond = utcSecond
        self.partitionCounts = partitionCounts
        self.shard = shard
        self.progress = progress
        self.deliveryProgress = deliveryProgress
            ?? Array(repeating: .empty, count: partitionCounts[EventStreams.deliveredIndex])
        self.epoch = epoch
        self.valueFormat = valueFormat
        skipped = SkipCounts(topics: partitionCounts.count)
        run = EncodingBuffer(capacity: 64)
        run.append(runId)
        audit = PublicationAudit(producer: producer, runId: runId)
        producer.ledger.expect(endOffsets: endOffsets)
    }

    public func write(_ slice: EventSlice) throws {
        let day = slice.events.day
        setSequenceDay(day)
        for (index, stream) in streams.enumerated() {
            if index == EventStreams.deliveredIndex, let deliveries = slice.deliveries {
                try write(deliveries)
                setSequenceDay(day)
                continue
            }
            guard !slice.ranges[index].isEmpty else { continue }
            current = (index, day, 0)
            try stream.writeRecords(slice.ranges[index], of: slice.events, as: valueFormat.encoding(ofStream: index),
                                    key: key, value: value, to: self)
        }
    }

    /// Sets the `replay_seq` prefix to `day`'s.
    @inline(__always)
    private func setSequenceDay(_ day: Day) {
        guard day != sequenceDay else { return }
        RecordIdentity.encodeSequencePrefix(day: day, into: sequence)
        sequenceDay = day
    }

    public func admits(index: Int, key: UnsafeRawBufferPointer) -> Bool {
        let partition = KeyPartitioner.partition(ofKey: key, partitionCount: partitionCounts[current.stream])
        current.partition = partition
        return shard.owns(partition: partition)
            && admits(EventPosition(day: current.day, index: index), in: &progress[current.stream][Int(partition)], current.stream)
    }

    public func write(index: Int, eventTime: Int64, eventType: StaticString, value: UnsafeRawBufferPointer) throws {
        try send(current.stream, current.partition, index, timestamp: eventTime, eventType: eventType,
                 schemaVersion: streams[current.stream].schemaVersion, value: value)
    }

    /// Publishes the delivered stream's deliveries, each with its own day's `replay_seq` and its `replay_delivery`.
    private func write(_ deliveries: [Delivery]) throws {
        guard let epoch else { preconditionFailure("deliveries reach a Kafka sink made without a disorder epoch") }
        let topic = EventStreams.deliveredIndex
        let stream = EventStreams.transactions
        let encoding = valueFormat.encoding(ofStream: topic)
        for item in deliveries {
            let mark = item.mark
            key.removeAll()
            key.write(reserving: 24) { $0.put(merchantId: stream.merchantNumber(of: item.transaction)) }
            let partition = KeyPartitioner.partition(ofKey: key.bytes, partitionCount: partitionCounts[topic])
            if !shard.owns(partition: partition) || !admits(mark, in: &deliveryProgress[Int(partition)], topic) { continue }
            stream.encodeValue(of: item.transaction, into: value, as: encoding)
            setSequenceDay(mark.day)
            RecordIdentity.encodeDelivery(mark, of: epoch, into: delivery)
            try send(topic, partition, mark.index, timestamp: item.transaction.timestamp, eventType: stream.eventType(of: item.transaction),
                     schemaVersion: stream.schemaVersion, value: value.bytes, delivery: delivery.bytes)
        }
    }

    public func makeDurable() throws {
        try producer.awaitAcknowledgements()
        try retention.checkpoint(producer, partitionCounts: partitionCounts)
        try audit.check(producer)
    }

    /// What every partition holds of the run now that it is durable, for a re-run to check.
    public func noteProgress(in record: inout RunRecord) {
        func text(_ position: EventPosition?) -> String? { position?.description }
        func text(_ mark: DeliveryMark) -> String {
            RecordIdentity.encodeDelivery(mark, of: epoch!, into: delivery)
            return "\(EventPosition(day: mark.day, index: mark.index)) \(String(decoding: delivery.bytes, as: UTF8.self))"
        }
        var newest = progress.map { $0.map { text($0.newestInOrder) } }
        var held = progress.map { partitions in
            partitions.enumerated().flatMap { partition, progress in progress.heldOutOfOrder.sorted().map { "\(partition) \($0)" } }
        }
        if epoch != nil {
            let delivered = EventStreams.deliveredIndex
            newest[delivered] = deliveryProgress.map { $0.newestInOrder.map(text) }
            held[delivered] = deliveryProgress.enumerated().flatMap { partition, progress in
                progress.heldOutOfOrder.sorted().map { "\(partition) \(text($0))" }
            }
        }
        // The newest record in order is the last this process had acknowledged in the partition, or the one it found there.
        func offsets<Position>(_ partitions: [PartitionProgress<Position>], topic: Int) -> [Int64?] {
            let acknowledged = producer.ledger.acknowledgedOffsets(ofTopic: topic)
            return partitions.enumerated().map { partition, progress in
                (acknowledged.indices.contains(partition) ? acknowledged[partition]?.upperBound : nil) ?? progress.heldUpToOffset
            }
        }
        var newestOffsets = progress.enumerated().map { offsets($1, topic: $0) }
        if epoch != nil { newestOffsets[EventStreams.deliveredIndex] = offsets(deliveryProgress, topic: EventStreams.deliveredIndex) }
        record.kafka?.publication = RunRecord.Publication(clusterId: audit.clusterId, newest: newest, offsets: newestOffsets, held: held)
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
        zip(zip(producer.counts, skipped.values), streams).map { counts, stream in
            TopicFigures(topic: counts.0.topic, stream: stream.name, produced: counts.0.produced, acknowledged: counts.0.acknowledged,
                         failed: counts.0.failed, skipped: counts.1, acknowledgedBytes: counts.0.bytes)
        }
    }

    /// Messages waiting in librdkafka's queues. Safe from any thread.
    public var queueDepth: Int { producer.queueDepth }

    /// Brokers connected, nil until librdkafka reports them. Safe from any thread.
    public var brokersUp: Int? { producer.brokersUp }

    /// True when a partition at `progress` has not got the event or delivery at `position` yet (it
    /// is then the partition's newest in order); a held one is counted as skipped.
    @inline(__always)
    private func admits<Position>(_ position: Position, in progress: inout PartitionProgress<Position>, _ topic: Int) -> Bool {
        if progress.admits(position) { return true }
        skipped.add(topic)
        return false
    }

    @inline(__always)
    private func send(_ topic: Int, _ partition: Int32, _ index: Int, timestamp: Int64, eventType: StaticString,
                      schemaVersion: StaticString, value: UnsafeRawBufferPointer, delivery: UnsafeRawBufferPointer? = nil) throws {
        RecordIdentity.completeSequence(index: index, in: sequence)
        try producer.produce(
            topic: topic, partition: partition, key: key.bytes, value: value,
            timestampMilliseconds: utcSecond(timestamp) * 1_000,
            headers: RecordHeaders(eventType: eventType, schemaVersion: schemaVersion, run: run.bytes, sequence: sequence.bytes, delivery: delivery))
    }
}

/// Per topic, the events skipped because the topic held them: written by the run's thread, read by the metrics' thread.
private final class SkipCounts: Sendable {
    private let counts: Mutex<[Int]>

    init(topics: Int) { counts = Mutex(Array(repeating: 0, count: topics)) }

    func add(_ topic: Int) { counts.withLock { $0[topic] += 1 } }

    var values: [Int] { counts.withLock { $0 } }
}

/// One topic's figures in a run.
public struct TopicFigures: Sendable {
    public let topic: String
    /// The stream it carries (`EventStream.name`).
    public let stream: String
    /// Queued to librdkafka.
    public let produced: Int
    public let acknowledged: Int
    public let failed: Int
    /// Not sent because the topic already held them.
    public let skipped: Int
    /// Key and value bytes acknowledged.
    public let acknowledgedBytes: Int
}
