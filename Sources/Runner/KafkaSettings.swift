import Checkpoints
import Engine
import KafkaClient
import Records
import SchemaRegistry
import SimulatedClock

/// How record values are encoded: JSON, or Avro with schemas registered in a Schema Registry.
public enum ValueFormatChoice: Equatable, Sendable {
    case json
    /// `registryURL` nil: `schema.registry.url` of the `--kafka-config` file.
    case avro(registryURL: String?)

    /// `json` or `avro`, as a run's record and `--format` write it.
    public var name: String {
        switch self {
        case .json: "json"
        case .avro: "avro"
        }
    }
}

/// Where and how a run publishes to Kafka: the brokers, each stream's topic, the producer's
/// properties and the value format. Checked by librdkafka when a producer is configured.
public struct KafkaSettings: Sendable {
    public var brokers: BrokerChoice
    /// Each stream's topic, in `EventStreams.all` order (a run publishes to the first ones: see `EventStreams.count(lifecycle:)`).
    public var topics: [String]
    /// A file of librdkafka properties (`--kafka-config`), which may also hold the Schema Registry's.
    public var configFile: String?
    /// `key=value` librdkafka properties that win over the file's (`-X`).
    public var properties: [String]
    public var valueFormat: ValueFormatChoice

    public init(brokers: BrokerChoice = .embedded, topics: [String] = EventStreams.defaultTopics, configFile: String? = nil,
                properties: [String] = [], valueFormat: ValueFormatChoice = .json) {
        self.brokers = brokers
        self.topics = topics
        self.configFile = configFile
        self.properties = properties
        self.valueFormat = valueFormat
    }

    /// What these settings may do that their user did not mean: a secret given as a property
    /// (visible in `ps`), a config file value with a ` #` in it. One line each, no value.
    public var warnings: [String] {
        get throws {
            let secrets = properties.map { String($0.prefix { $0 != "=" }) }.filter(ProducerConfiguration.isSecret).map {
                "-X \($0): a secret on the command line is visible to every user of this machine (ps, /proc/PID/cmdline); put it in --kafka-config"
            }
            return try secrets + (configFile.map { try KafkaConfigFile(path: $0).warnings } ?? [])
        }
    }

    /// The producer's properties: the defaults (batching for `pace`), `bootstrapServers`, the
    /// config file (less the Schema Registry's properties), then `properties`, each checked by
    /// librdkafka. With `statistics`, librdkafka reports every second (the brokers' state for the
    /// metrics), unless the properties set their own interval.
    public func producerConfiguration(bootstrapServers: String, pace: Pace, statistics: Bool = false) throws -> ProducerConfiguration {
        try ProducerConfiguration(bootstrapServers: bootstrapServers, batching: pace == .max ? .throughput : .latency,
                                  file: configFile.map { try KafkaConfigFile(path: $0).separating(SchemaRegistrySettings.isRegistryProperty).rest },
                                  overrides: (statistics ? ["statistics.interval.ms=1000"] : []) + properties)
    }

    /// Where the run publishes, as its record says; nil for files only.
    public var target: RunRecord.KafkaTarget? {
        brokers.publishes ? RunRecord.KafkaTarget(brokers: brokers.description, topics: topics, valueFormat: valueFormat.name) : nil
    }

    /// The subject of a topic's value schema (TopicNameStrategy: `<topic>-value`).
    public static func subject(of topic: String) -> String { topic + "-value" }

    /// For Avro: the registry's settings, from the URL and the config file's registry properties;
    /// a one-line error when they are incomplete or wrong. Nil for JSON values.
    public func registrySettings() throws -> SchemaRegistrySettings? {
        guard case let .avro(registryURL) = valueFormat else { return nil }
        let file = try configFile.map { try KafkaConfigFile(path: $0) }
        let entries = file?.separating(SchemaRegistrySettings.isRegistryProperty).picked ?? []
        do {
            return try SchemaRegistrySettings(flagURL: registryURL, properties: entries.map {
                (name: $0.name, value: $0.value, origin: "--kafka-config \(file!.path) line \($0.line)")
            })
        } catch let error as SchemaRegistryError {
            throw UserError(error.description)
        }
    }

    /// For Avro: registers the value schema of each of `streams` under the subject of its topic in
    /// `topics` and returns the value format with their ids. A registry that refuses a schema or
    /// cannot be reached is an error in one line.
    func registerValueSchemas(of streams: [any EventStream], topics: [String], stopRequested: @escaping @Sendable () -> Bool) throws -> ValueFormat {
        guard let settings = try registrySettings() else { return .json }
        let client = SchemaRegistryClient(settings: settings)
        do {
            let ids = try zip(topics, streams).map { topic, stream in
                try client.registerAvro(subject: Self.subject(of: topic), schema: stream.valueFields.avroSchema.compact, stopRequested: stopRequested)
            }
            return .avro(schemaIds: ids)
        } catch let error as SchemaRegistryError where !error.stoppedOnRequest {
            throw UserError(error.description)
        }
    }
}
