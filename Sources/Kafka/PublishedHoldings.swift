import Events
import Simulation
import Sinks

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
    /// run's last checkpoint recorded of this topic; `clusterChanged`: the cluster is not the one it recorded.
    public static func read(configuration: ProducerConfiguration, topic: String, partitionCount: Int, runId: String, shard: Shard,
                            reading: Reading, recorded: (newest: [String?], held: [String])?, clusterChanged: Bool,
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
        var progress = [PartitionProgress<Position>](repeating: .empty, count: partitionCount)
        var lost: [Int] = []
        for partition in 0..<partitionCount where shard.owns(partition: Int32(partition)) {
            // A newest record that the checkpoint knows to be out of order says nothing of what precedes it.
            let inOrder = newest[partition].flatMap { heldRecorded[partition].contains($0) ? nil : $0 }
            let checkpointed = recorded.flatMap { $0.newest.indices.contains(partition) ? $0.newest[partition] : nil }.flatMap(reading.ofText)
            let hadRecords = checkpointed != nil || !heldRecorded[partition].isEmpty
            if (clusterChanged && hadRecords) || checkpointed.map({ point in inOrder.map { $0 < point } ?? true }) == true {
                lost.append(partition)
            } else {
                progress[partition] = PartitionProgress(heldUpTo: inOrder, heldOutOfOrder: heldRecorded[partition])
            }
        }
        if !lost.isEmpty {
            let records = try TopicReadBack.allMarks(configuration: configuration, topic: topic, partitions: lost, runHeader: RecordIdentity.runHeader,
                                                     run: runId, markHeader: RecordIdentity.sequenceHeader, detailHeader: reading.detailHeader,
                                                     interruption: interruption)
            for partition in lost {
                let held = try (records[partition] ?? []).map { try reading.ofRecord($0, partition) }
                progress[partition] = PartitionProgress(heldUpTo: nil, heldOutOfOrder: Set(held))
            }
        }
        return PublishedHoldings(progress: progress, endOffsets: found.endOffsets, lostPartitions: lost)
    }
}

extension PublishedHoldings.Reading where Position == RecordIdentity.Sequence {
    /// In-order records of `topic`: their `replay_seq`.
    public static func sequences(topic: String, partitionCount: Int) -> Self {
        Self(detailHeader: nil,
             ofRecord: { try PublishedPositions.position(of: $0, partition: $1, topic: topic, partitionCount: partitionCount) },
             ofText: { RecordIdentity.Sequence($0) })
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
