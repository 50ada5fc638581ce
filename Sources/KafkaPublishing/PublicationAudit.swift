import KafkaClient
import Records

/// Checks, whenever the run makes its topics durable, that what it published stays where it put
/// it and that no other process publishes the same simulation:
/// - the cluster is still the one the run connected to (its cluster id): a cluster that came
///   back as another one does not hold what the first acknowledged;
/// - no offset went back in a partition (`DeliveryLedger` fails the producer at once), and no log
///   ends before this run's last acknowledged record (`RetentionWatch`);
/// - the offsets that others appended among this run's records (`DeliveryLedger`'s foreign ranges)
///   hold no record of this simulation: a second process publishing it into the same topics (from
///   another output folder or machine, at the same time) would publish every event twice.
/// Each failure is one line, before the checkpoint that would say the records are there.
final class PublicationAudit {
    private let runId: String
    /// The cluster's id when the run connected; nil when the cluster did not say.
    let clusterId: String?
    /// Topics already warned about as too busy to follow.
    private var warnedUnfollowed = Set<Int>()

    init(producer: KafkaProducer, runId: String) {
        self.runId = runId
        clusterId = producer.clusterId(timeout: 5)
    }

    func check(_ producer: KafkaProducer) throws {
        if let clusterId, let now = producer.clusterId(), now != clusterId {
            throw KafkaError("the Kafka cluster at \(producer.bootstrapServers) is another one now (cluster id \(now), was \(clusterId)): "
                + "it does not hold what this run published before; run the same command again to publish what is missing")
        }
        let foreign = producer.ledger.takeForeignRanges()
        for topic in foreign.unfollowed.subtracting(warnedUnfollowed) {
            warnedUnfollowed.insert(topic)
            let warning = "\(producer.topics[topic]): other producers append among this run's records so often that it cannot check, "
                + "for a while, that no other process publishes this simulation there"
            producer.logger?.warning("\(warning)")
        }
        for (topic, ranges) in foreign.ranges.enumerated() where !ranges.isEmpty {
            guard let found = try TopicReadBack.runRecord(configuration: producer.configuration, topic: producer.topics[topic], in: ranges,
                                                          runHeader: RecordIdentity.runHeader, run: runId,
                                                          markHeader: RecordIdentity.sequenceHeader) else { continue }
            throw KafkaError("another process is publishing this simulation (run \(runId)) to \(producer.topics[topic]) at "
                + "\(producer.bootstrapServers): partition \(found.partition) holds its record \(found.mark) among this run's own; "
                + "two runs of one simulation into the same topics publish every event twice: stop one of them "
                + "(the records both already published stay in the topic)")
        }
    }
}
