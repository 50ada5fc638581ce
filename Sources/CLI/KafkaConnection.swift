import Clock
import Engine
import Events
import Kafka
import Logging
import Simulation
import Sinks

/// The Kafka side of a run: the producer and, for `--brokers embedded`, the in-process broker
/// it talks to. Nil for `--brokers none`.
final class KafkaConnection {
    let sink: KafkaSink
    private let embedded: EmbeddedBroker?

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
    static func open(_ options: KafkaOptions, pace: Pace, zone: SimulatedTimeZone, runId: String, unfinished: RunRecord.KafkaTarget?,
                     shard: Shard = .whole, epoch: DeliveryEpoch? = nil, statistics: Bool = false, logger: Logger) throws -> KafkaConnection? {
        let topics = options.topics.names
        guard options.brokers != "none" else {
            if !options.properties.isEmpty || options.configFile != nil {
                logger.warning("-X and --kafka-config properties are ignored with --brokers none")
            }
            if options.values.format == .avro { logger.warning("--format avro is ignored with --brokers none") }
            return nil
        }
        let valueFormat = try options.values.register(topics: topics, configFile: options.configFile.map { try KafkaConfigFile(path: $0) })
        if case let .avro(ids) = valueFormat {
            let subjects = ValueFormatOptions.subjects(of: topics)
            logger.info("Avro values: schemas registered as \(zip(subjects, ids).map { "\($0) id \($1)" }.joined(separator: ", "))")
        }
        var embedded: EmbeddedBroker?
        var servers = options.brokers
        if servers == "embedded" {
            let broker = try EmbeddedBroker(topics: topics)
            servers = broker.bootstrapServers
            embedded = broker
        }
        let configuration = try options.producerConfiguration(bootstrapServers: servers, pace: pace, statistics: statistics)
        if let embedded {
            logger.info("embedded Kafka broker at \(embedded.bootstrapServers) (it stops with this run; `replay broker` serves one that stays)")
        }
        let producer = try KafkaProducer(configuration: configuration, topics: topics, logger: logger)
        let partitionCounts = try topics.indices.map { try producer.partitionCount(ofTopic: $0) }
        if let change = unfinished?.partitionChange(to: partitionCounts) { throw UserError(change) }
        for (topic, count) in zip(topics, partitionCounts) where count < shard.count {
            throw UserError("--shard \(shard): \(topic) has \(count) partitions, fewer than the \(shard.count) shards, so some shards would own none; "
                + "use at most \(count) shards, or more partitions")
        }
        var published: [[RecordIdentity.Sequence?]] = []
        var publishedDeliveries: [DeliveryMark?]?
        for (stream, (topic, count)) in zip(EventStream.allCases, zip(topics, partitionCounts)) {
            let deliveryEpoch = stream == .transactions ? epoch : nil
            let marks = try TopicReadBack.newestMarks(
                configuration: configuration, topic: topic, partitionCount: count, runHeader: RecordIdentity.runHeader, run: runId,
                markHeader: RecordIdentity.sequenceHeader, detailHeader: deliveryEpoch == nil ? nil : RecordIdentity.deliveryHeader)
            // Every partition is checked; a shard skips only in its own.
            func owned<Position>(_ positions: [Position?]) -> [Position?] {
                positions.enumerated().map { shard.owns(partition: Int32($0.offset)) ? $0.element : nil }
            }
            let held: [Bool]
            if let deliveryEpoch {
                publishedDeliveries = owned(try PublishedPositions.deliveryPositions(of: marks, topic: topic, partitionCount: count,
                                                                                     epoch: deliveryEpoch))
                published.append(Array(repeating: nil, count: count))
                held = publishedDeliveries!.map { $0 != nil }
            } else {
                published.append(owned(try PublishedPositions.positions(of: marks, topic: topic, partitionCount: count)))
                held = published.last!.map { $0 != nil }
            }
            let already = held.filter { $0 }.count
            if already > 0 { logger.info("\(topic): \(already) of \(count) partitions already hold records of run \(runId); those events are skipped") }
        }
        logger.info("publishing to Kafka at \(servers): \(topics.joined(separator: ", ")) (run \(runId))")
        let sink = KafkaSink(producer: producer, utcSecond: zone.utcSecond(ofLocal:), runId: runId,
                             partitionCounts: partitionCounts, published: published, publishedDeliveries: publishedDeliveries, epoch: epoch,
                             shard: shard, valueFormat: valueFormat)
        return KafkaConnection(sink: sink, embedded: embedded)
    }

    private init(sink: KafkaSink, embedded: EmbeddedBroker?) {
        self.sink = sink
        self.embedded = embedded
    }

    /// Stops the embedded broker, if any, after the producer is closed.
    func shutDown() {
        embedded?.shutDown()
    }
}
