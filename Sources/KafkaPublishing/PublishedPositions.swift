import KafkaClient
import Records
import Simulation

/// How far a simulation already got in each partition of a topic, from the newest record of it
/// that `TopicReadBack` found in each partition.
public enum PublishedPositions {
    /// The `replay_seq` of each partition's newest record of the run. Fails when a record sits on
    /// another partition than its key gives for `partitionCount` (the topic's partition count
    /// changed since): the events already there could not be told apart then.
    public static func positions(of newest: [TopicReadBack.Newest?], topic: String,
                                 partitionCount: Int) throws -> [EventPosition?] {
        try newest.enumerated().map { partition, record in
            try record.map { try position(of: $0, partition: partition, topic: topic, partitionCount: partitionCount) }
        }
    }

    /// The `replay_seq` of one record of the run in `partition` (see `positions`).
    public static func position(of record: TopicReadBack.Newest, partition: Int, topic: String,
                                partitionCount: Int) throws -> EventPosition {
        guard let sequence = EventPosition(record.mark) else {
            throw KafkaError("\(topic) partition \(partition) holds a record with \(RecordIdentity.sequenceHeader) '\(record.mark)', "
                + "which is not of the form YYYY-MM-DD/N")
        }
        try checkPlacement(of: record, partition: partition, topic: topic, sequence: sequence, partitionCount: partitionCount)
        return sequence
    }

    /// The delivery mark of each partition's newest record of a run with disorder, from its
    /// `replay_seq` and `replay_delivery` headers (read back as the record's detail), for a run
    /// whose epoch is `epoch`. Skipping every delivery up to that mark is right only if what the
    /// partition holds is where this run's order would have put it, so it fails, besides as
    /// `positions` does and when a record lacks a well-formed `replay_delivery`:
    /// - when the record comes from a run with the same first day but another last day, delivered
    ///   after the midnight that follows the earlier last day (from there on, the history that ends
    ///   first makes its pending deliveries at once, the other run in the simulation's endless order);
    /// - when it comes from a later run whose first day this run would simulate again.
    public static func deliveryPositions(of newest: [TopicReadBack.Newest?], topic: String, partitionCount: Int,
                                         epoch: DeliveryEpoch) throws -> [DeliveryMark?] {
        try newest.enumerated().map { partition, record in
            try record.map { try deliveryPosition(of: $0, partition: partition, topic: topic, partitionCount: partitionCount, epoch: epoch) }
        }
    }

    /// The delivery mark of one record of the run in `partition` (see `deliveryPositions`).
    public static func deliveryPosition(of record: TopicReadBack.Newest, partition: Int, topic: String, partitionCount: Int,
                                        epoch: DeliveryEpoch) throws -> DeliveryMark {
        guard let detail = record.detail, let (mark, run) = RecordIdentity.delivery(sequence: record.mark, delivery: detail) else {
            throw KafkaError("\(topic) partition \(partition) holds a record of this run with \(RecordIdentity.sequenceHeader) '\(record.mark)' "
                + "and \(RecordIdentity.deliveryHeader) '\(record.detail ?? "(none)")', which do not give a delivery's place")
        }
        try checkPlacement(of: record, partition: partition, topic: topic, sequence: EventPosition(day: mark.day, index: mark.index),
                           partitionCount: partitionCount)
        if let conflict = conflict(of: epoch, with: run, at: mark.deliveredAt) {
            throw KafkaError("\(topic) already holds this simulation's deliveries of the run \(run), \(conflict) than this run "
                + "(\(epoch)), so what it holds could not be told apart; publish to other topics")
        }
        return mark
    }

    /// How a run with `epoch` and the run `other` of a record delivered at `second` disagree; nil when they do not.
    private static func conflict(of epoch: DeliveryEpoch, with other: DeliveryEpoch, at second: Int64) -> String? {
        if epoch.first == other.first && epoch.last != other.last {
            // They differ, so one is a history: up to the midnight after the earlier last day both follow the endless order.
            let end = [epoch.last, other.last].compactMap { $0 }.min()!
            return second >= end.adding(days: 1).startSecond ? "which made deliveries after \(end) in another order" : nil
        }
        if epoch.first < other.first && (epoch.last.map { $0 >= other.first } ?? true) {
            return "a later run from \(other.first), whose days this run would deliver again in another order"
        }
        return nil
    }

    private static func checkPlacement(of record: TopicReadBack.Newest, partition: Int, topic: String,
                                       sequence: EventPosition, partitionCount: Int) throws {
        let placed = record.key.withUnsafeBytes { KeyPartitioner.partition(ofKey: $0, partitionCount: partitionCount) }
        guard placed == Int32(partition) else {
            throw KafkaError("\(topic) partition \(partition) holds this simulation's record \(sequence) whose key belongs on "
                + "partition \(placed) of \(partitionCount): the topic's partition count changed since it was published; "
                + "publish to new topics, or restore the partition count")
        }
    }
}
