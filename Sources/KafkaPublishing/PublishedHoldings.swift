import KafkaClient
import Records
import Simulation
import Checkpoints

/// What the unfinished run's last checkpoint recorded of one topic (see `RunRecord.Publication`).
public struct RecordedTopic: Sendable {
    public let newest: [String?]
    public let offsets: [Int64?]
    public let held: [String]

    /// The entries of topic number `topic` in `publication`.
    public init(_ publication: RunRecord.Publication, topic: Int) {
        newest = publication.newest[topic]
        offsets = publication.offsets[topic]
        held = publication.held[topic]
    }
}

/// What a topic holds of a run when the run starts, per partition, so that it publishes each event
/// exactly once: read back from the topic (its newest record of the run in each partition) and,
/// for a run that continues an unfinished one, checked against what that run's last checkpoint
/// recorded (`RunRecord.Publication`).
///
/// A partition lost records when the cluster is another one than the checkpoint's (its id
/// changed) or when its newest record in order is older than the checkpoint's. Such a partition is
/// read whole: whatever of the run it still holds, in whatever order, is skipped one by one, and
/// the run publishes the rest again (`Republisher`).
public struct PublishedHoldings<Position: Comparable & Hashable & Sendable>: Sendable {
    /// Per partition: what it holds (empty where the shard does not own it).
    public let progress: [PartitionProgress<Position>]
    /// Per partition, the offset its next record will get; nil where it does not exist.
    public let endOffsets: [Int64?]
    /// Partitions that lost records the last checkpoint says they held.
    public let lostPartitions: [Int]

    /// How positions are read: from a record of the topic (in its partition) and from the run's record.
    public struct Reading: Sendable {
        let detailHeader: String?
        let ofRecord: @Sendable (TopicReadBack.Newest, Int) throws -> Position
        let ofText: @Sendable (String) -> Position?
    }

    /// Reads `topic` (`partitionCount` partitions) for run `runId`. `recorded`: what the unfinished
    /// run's last checkpoint recorded of this topic; `clusterChanged`: the cluster is not the one it
    /// recorded.
    ///
    /// A partition lost records when the cluster changed, when its log now ends at or before the
    /// recorded newest record's offset, or when the record at that offset is another one (a log
    /// emptied and filled again under the same cluster id). A recorded record below the oldest offset
    /// the partition keeps was removed by retention, which is not a loss: what the checkpoint says
    /// stays true of what was published.
    public static func read(configuration: ProducerConfiguration, topic: String, partitionCount: Int, runId: String, shard: Shard,
                            reading: Reading, recorded: RecordedTopic?, clusterChanged: Bool,
                            interruption: Interruption = .never) throws -> PublishedHoldings {
        let found = try TopicReadBack.newestMarks(
            configuration: configuration, topic: topic, partitionCount: partitionCount, runHeader: RecordIdentity.runHeader, run: runId,
            markHeader: RecordIdentity.sequenceHeader, detailHeader: reading.detailHeader, interruption: interruption)
        // Every partition is checked (a record another partition count placed is refused); a shard skips only in its own.
        let newest = try found.newest.enumerated().map { partition, record in try record.map { try reading.ofRecord($0, partition) } }
        var heldRecorded = [Set<Position>](repeating: [], count: partitionCount)
        for entry in recorded?.held ?? [] {
            let parts = entry.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, let partition = Int(parts[0]), heldRecorded.indices.contains(partition),
                  let position = reading.ofText(String(parts[1])) else { continue }
            heldRecorded[partition].insert(position)
        }
        func entry<Value>(_ values: [Value?]?, _ partition: Int) -> Value? {
            values.flatMap { $0.indices.contains(partition) ? $0[partition] : nil }
        }
        var progress = [PartitionProgress<Position>](repeating: .empty, count: partitionCount)
        var lost: [Int] = []
        var toVerify: [(partition: Int, offset: Int64, point: Position)] = []
        func keep(_ partition: Int, at point: Position?, offset: Int64?) {
            progress[partition] = PartitionProgress(heldUpTo: point, offset: offset, heldOutOfOrder: heldRecorded[partition])
        }
        for partition in 0..<partitionCount where shard.owns(partition: Int32(partition)) {
            // A newest record that the checkpoint knows to be out of order says nothing of what precedes it.
            let inOrder = newest[partition].flatMap { heldRecorded[partition].contains($0) ? nil : $0 }
            let inOrderOffset = inOrder == nil ? nil : found.newest[partition]?.offset
            guard let point = entry(recorded?.newest, partition).flatMap(reading.ofText) else {
                if clusterChanged && !heldRecorded[partition].isEmpty { lost.append(partition) } else { keep(partition, at: inOrder, offset: inOrderOffset) }
                continue
            }
            guard !clusterChanged else {
                lost.append(partition)
                continue
            }
            let latest = max(inOrder ?? point, point)
            let latestOffset = inOrder.map { $0 >= point } == true ? inOrderOffset : nil
            if let offset = entry(recorded?.offsets, partition), let end = found.endOffsets[partition], let start = found.startOffsets[partition] {
                if end <= offset {
                    lost.append(partition)                   // the log was cut below it
                } else if offset < start {
                    keep(partition, at: latest, offset: latestOffset)  // removed by retention, not lost
                } else {
                    toVerify.append((partition, offset, point))
                }
            } else if inOrder.map({ $0 < point }) ?? true {
                lost.append(partition)
            } else {
                keep(partition, at: inOrder, offset: inOrderOffset)
            }
        }
        let there = try TopicReadBack.records(configuration: configuration, topic: topic, at: toVerify.map { ($0.partition, $0.offset) },
                                              runHeader: RecordIdentity.runHeader, run: runId, markHeader: RecordIdentity.sequenceHeader,
                                              detailHeader: reading.detailHeader, interruption: interruption)
        for check in toVerify {
            if let record = there[check.partition], try reading.ofRecord(record, check.partition) == check.point {
                let inOrder = newest[check.partition].flatMap { heldRecorded[check.partition].contains($0) ? nil : $0 }
                keep(check.partition, at: max(inOrder ?? check.point, check.point),
                     offset: inOrder.map { $0 >= check.point } == true ? found.newest[check.partition]?.offset : check.offset)
            } else {
                lost.append(check.partition)                 // another record at its offset: the log was emptied and filled again
            }
        }
        if !lost.isEmpty {
            // Read whole: whatever of the run each still holds is skipped one by one.
            var held = [Int: Set<Position>]()
            try TopicReadBack.forEachRecord(configuration: configuration, topic: topic, partitions: lost, runHeader: RecordIdentity.runHeader,
                                            run: runId, markHeader: RecordIdentity.sequenceHeader, detailHeader: reading.detailHeader,
                                            interruption: interruption) { partition, record in
                held[partition, default: []].insert(try reading.ofRecord(record, partition))
            }
            for partition in lost { progress[partition] = PartitionProgress(heldUpTo: nil, heldOutOfOrder: held[partition] ?? []) }
        }
        return PublishedHoldings(progress: progress, endOffsets: found.endOffsets, lostPartitions: lost.sorted())
    }
}

extension PublishedHoldings.Reading where Position == EventPosition {
    /// In-order records of `topic`: their `replay_seq`.
    public static func sequences(topic: String, partitionCount: Int) -> Self {
        Self(detailHeader: nil,
             ofRecord: { try PublishedPositions.position(of: $0, partition: $1, topic: topic, partitionCount: partitionCount) },
             ofText: { EventPosition($0) })
    }
}

extension PublishedHoldings.Reading where Position == DeliveryMark {
    /// Transaction deliveries of a run with disorder whose epoch is `epoch`: their marks (`replay_seq` and `replay_delivery`).
    public static func deliveries(topic: String, partitionCount: Int, epoch: DeliveryEpoch) -> Self {
        Self(detailHeader: RecordIdentity.deliveryHeader,
             ofRecord: { try PublishedPositions.deliveryPosition(of: $0, partition: $1, topic: topic, partitionCount: partitionCount, epoch: epoch) },
             ofText: { text in
                 let parts = text.split(separator: " ", maxSplits: 1)
                 guard parts.count == 2 else { return nil }
                 return RecordIdentity.delivery(sequence: String(parts[0]), delivery: String(parts[1]))?.mark
             })
    }
}
