import DevelopmentBroker
import SimulatedClock
import Engine
import Records
import KafkaClient
import KafkaPublishing
import Logging
import Simulation
import Checkpoints

/// The Kafka side of a run: the producer and, for an embedded broker, the in-process broker it
/// talks to. Nil for a files-only run.
final class KafkaConnection {
    let sink: KafkaSink
    private let embedded: EmbeddedBroker?
    /// The topics lost records that the run's last checkpoint says they held: the run publishes
    /// them again (`Republisher`) before it goes on.
    let lostRecords: Bool

    /// With `--format avro`, first registers the value schemas (a registry that refuses them or
    /// cannot be reached fails the run before anything is produced). Then starts the embedded
    /// broker if asked, checks the properties (batched for `pace`; a bad `-X` is refused before any
    /// file is touched), connects, checks that the topics have the partition counts that
    /// `unfinished` (the run being continued) started with, and reads back what the topics already
    /// hold of run `runId`: every partition is checked for records that another partition count
    /// placed, and a shard skips what its own partitions hold; with a disorder `epoch`, the
    /// transactions topic is read back by delivery mark, and records of a run whose order this run
    /// could not continue are refused (`PublishedPositions.deliveryPositions`). With `statistics`, librdkafka reports the brokers' state
    /// (for metrics).
    static func open(_ settings: KafkaSettings, streams: [any EventStream], topics: [String], pace: Pace, zone: SimulatedTimeZone,
                     runId: String, unfinished: RunRecord.KafkaTarget?, shard: Shard = .whole, epoch: DeliveryEpoch? = nil,
                     statistics: Bool = false, logger: Logger, interruption: Interruption = .never) throws -> KafkaConnection? {
        guard settings.brokers.publishes else {
            if !settings.properties.isEmpty || settings.configFile != nil {
                logger.warning("-X and --kafka-config properties are ignored with --brokers none")
            }
            if settings.valueFormat != .json { logger.warning("--format avro is ignored with --brokers none") }
            return nil
        }
        precondition(topics.count == streams.count, "a topic per stream")
        let valueFormat = try settings.registerValueSchemas(of: streams, topics: topics, stopRequested: interruption.isRequested)
        if case let .avro(ids) = valueFormat {
            logger.info("Avro values: schemas registered as \(zip(topics, ids).map { "\(KafkaSettings.subject(of: $0)) id \($1)" }.joined(separator: ", "))")
        }
        let embedded = settings.brokers == .embedded ? try EmbeddedBroker(topics: topics) : nil
        let bootstrapServers = embedded?.bootstrapServers ?? settings.brokers.description
        let configuration = try settings.producerConfiguration(bootstrapServers: bootstrapServers, pace: pace, statistics: statistics)
        if let embedded {
            logger.info("embedded Kafka broker at \(embedded.bootstrapServers) (it stops with this run; `replay broker` serves one that stays)")
        }
        let producer = try KafkaProducer(configuration: configuration, topics: topics, logger: logger, interruption: interruption)
        let partitionCounts = try topics.indices.map { try producer.partitionCount(ofTopic: $0, interruption: interruption) }
        if let change = unfinished?.partitionChange(to: partitionCounts) { throw UserError(change) }
        for (topic, count) in zip(topics, partitionCounts) where count < shard.count {
            throw UserError("--shard \(shard): \(topic) has \(count) partitions, fewer than the \(shard.count) shards, so some shards would own none; "
                + "use at most \(count) shards, or more partitions")
        }
        let recorded = unfinished?.publication
        let cluster = producer.clusterId(timeout: 5)
        let clusterChanged = recorded?.clusterId.map { cluster != nil && cluster != $0 } ?? false
        var progress: [[PartitionProgress<EventPosition>]] = []
        var deliveryProgress: [PartitionProgress<DeliveryMark>]?
        var endOffsets: [[Int64?]] = []
        var losses: [String] = []
        for (stream, (topic, count)) in zip(streams.indices, zip(topics, partitionCounts)) {
            // merchants.json's check (Checkpoint.problem) makes sure a publication has an entry for each topic.
            let checkpointed = recorded.map { RecordedTopic($0, topic: stream) }
            func report<Position>(_ holdings: PublishedHoldings<Position>) {
                endOffsets.append(holdings.endOffsets)
                let already = holdings.progress.filter { $0.heldUpTo != nil || !$0.heldOutOfOrder.isEmpty }.count
                if already > 0 { logger.info("\(topic): \(already) of \(count) partitions already hold records of run \(runId); those events are skipped") }
                if !holdings.lostPartitions.isEmpty { losses.append("\(topic) (\(holdings.lostPartitions.count) of \(count) partitions)") }
            }
            if stream == EventStreams.deliveredIndex, let epoch {
                let holdings = try PublishedHoldings.read(
                    configuration: configuration, topic: topic, partitionCount: count, runId: runId, shard: shard,
                    reading: .deliveries(topic: topic, partitionCount: count, epoch: epoch), recorded: checkpointed, clusterChanged: clusterChanged,
                    interruption: interruption)
                deliveryProgress = holdings.progress
                progress.append(Array(repeating: .empty, count: count))
                report(holdings)
            } else {
                let holdings = try PublishedHoldings.read(
                    configuration: configuration, topic: topic, partitionCount: count, runId: runId, shard: shard,
                    reading: .sequences(topic: topic, partitionCount: count), recorded: checkpointed, clusterChanged: clusterChanged,
                    interruption: interruption)
                progress.append(holdings.progress)
                report(holdings)
            }
        }
        if !losses.isEmpty {
            let why = clusterChanged ? "the cluster is another one (cluster id \(cluster ?? "?"), was \(recorded?.clusterId ?? "?"))"
                : "they no longer hold records the last checkpoint says they held"
            let message = "Kafka lost records of this run: \(losses.joined(separator: ", ")): \(why); "
                + "publishing again, from the simulation's first day, what they are missing"
            logger.warning("\(message)")
        }
        logger.info("publishing to Kafka at \(bootstrapServers): \(topics.joined(separator: ", ")) (run \(runId))")
        let sink = KafkaSink(producer: producer, streams: streams, utcSecond: zone.utcSecond(ofLocal:), runId: runId,
                             partitionCounts: partitionCounts, progress: progress, deliveryProgress: deliveryProgress, epoch: epoch,
                             endOffsets: endOffsets, shard: shard, valueFormat: valueFormat)
        return KafkaConnection(sink: sink, embedded: embedded, lostRecords: !losses.isEmpty)
    }

    private init(sink: KafkaSink, embedded: EmbeddedBroker?, lostRecords: Bool) {
        self.sink = sink
        self.embedded = embedded
        self.lostRecords = lostRecords
    }

    /// Stops the embedded broker, if any, after the producer is closed.
    func shutDown() {
        embedded?.shutDown()
    }
}
