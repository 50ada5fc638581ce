import Events
import Simulation

/// How far a simulation already got in each partition of a topic, from the newest record of it
/// that `TopicReadBack` found in each partition.
public enum PublishedPositions {
    /// The `replay_seq` of each partition's newest record of the run. Fails when a record sits on
    /// another partition than its key gives for `partitionCount` (the topic's partition count
    /// changed since): the events already there could not be told apart then.
    public static func positions(of newest: [TopicReadBack.Newest?], topic: String,
                                 partitionCount: Int) throws -> [RecordIdentity.Sequence?] {
        try newest.enumerated().map { partition, record in
            guard let record else { return nil }
            guard let sequence = RecordIdentity.Sequence(record.mark) else {
                throw KafkaError("\(topic) partition \(partition) holds a record with \(RecordIdentity.sequenceHeader) '\(record.mark)', "
                    + "which is not of the form YYYY-MM-DD/N")
            }
            try checkPlacement(of: record, partition: partition, topic: topic, sequence: sequence, partitionCount: partitionCount)
            return sequence
        }
    }

    /// The delivery mark of each partition's newest record of a run with disorder, from its
    /// `replay_seq` and `replay_delivery` headers (read back as the record's detail). Fails as
    /// `positions` does, when a record of the run lacks a well-formed `replay_delivery`, and when
    /// a record comes from a run with the same first day as `epoch` but another last day: two
    /// histories over different periods deliver in different orders after the shorter one's end,
    /// so what the topic holds could not be told apart.
    public static func deliveryPositions(of newest: [TopicReadBack.Newest?], topic: String, partitionCount: Int,
                                         epoch: DeliveryEpoch) throws -> [DeliveryMark?] {
        try newest.enumerated().map { partition, record in
            guard let record else { return nil }
            guard let detail = record.detail, let mark = RecordIdentity.deliveryMark(sequence: record.mark, delivery: detail) else {
                throw KafkaError("\(topic) partition \(partition) holds a record of this run with \(RecordIdentity.sequenceHeader) '\(record.mark)' "
                    + "and \(RecordIdentity.deliveryHeader) '\(record.detail ?? "(none)")', which do not give a delivery's place")
            }
            try checkPlacement(of: record, partition: partition, topic: topic, sequence: RecordIdentity.Sequence(day: mark.day, index: mark.index),
                               partitionCount: partitionCount)
            if mark.epoch.first == epoch.first && mark.epoch.last != epoch.last {
                throw KafkaError("\(topic) already holds this simulation's late and duplicate deliveries of a run over \(mark.epoch), "
                    + "which delivers in another order than this run over \(epoch); publish to other topics")
            }
            return mark
        }
    }

    private static func checkPlacement(of record: TopicReadBack.Newest, partition: Int, topic: String,
                                       sequence: RecordIdentity.Sequence, partitionCount: Int) throws {
        let placed = record.key.withUnsafeBytes { KeyPartitioner.partition(ofKey: $0, partitionCount: partitionCount) }
        guard placed == Int32(partition) else {
            throw KafkaError("\(topic) partition \(partition) holds this simulation's record \(sequence) whose key belongs on "
                + "partition \(placed) of \(partitionCount): the topic's partition count changed since it was published; "
                + "publish to new topics, or restore the partition count")
        }
    }
}
