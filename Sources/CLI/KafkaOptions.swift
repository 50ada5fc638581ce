import ArgumentParser
import Clock
import Kafka
import SchemaRegistry
import Sinks

/// The names of the two topics.
struct TopicOptions: ParsableArguments {
    @Option(name: .customLong("topic-merchants"), help: "Topic of merchant change events.")
    var merchants = "payments.merchants"

    @Option(name: .customLong("topic-transactions"), help: "Topic of transaction events.")
    var transactions = "payments.transactions"

    /// In `EventStream` order.
    var names: [String] { [merchants, transactions] }

    /// Kafka's rule for topic names: 1 to 249 of `a-z A-Z 0-9 . _ -`, and not `.` or `..`.
    func check() throws {
        for (flag, name) in [("--topic-merchants", merchants), ("--topic-transactions", transactions)] {
            let allowed = name.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".")
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
            guard allowed, (1...249).contains(name.utf8.count), name != ".", name != ".." else {
                throw ValidationError("\(flag) '\(name)' is not a Kafka topic name (1-249 of a-z A-Z 0-9 . _ -)")
            }
        }
        guard merchants != transactions else { throw ValidationError("--topic-merchants and --topic-transactions must differ") }
    }
}

/// Where and how events are published to Kafka.
struct KafkaOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers (host:port,…), 'embedded' (an in-process broker, the default) or 'none' (files only).")
    var brokers = "embedded"

    @OptionGroup var topics: TopicOptions

    @Option(name: .customLong("kafka-config"),
            help: ArgumentHelp("A file of librdkafka producer properties (key=value lines, # comments), read before -X.", valueName: "file"))
    var configFile: String?

    @Option(name: .customShort("X"), help: ArgumentHelp("A librdkafka producer property (repeatable; wins over --kafka-config). Secrets belong in --kafka-config: a command line is visible to every user of the machine.", valueName: "key=value"))
    var properties: [String] = []

    /// What the Kafka options may do that their user did not mean: a secret given with `-X`
    /// (visible in `ps`), a `--kafka-config` value with a ` #` in it. One line each, no value.
    var warnings: [String] {
        get throws {
            let secrets = properties.map { String($0.prefix { $0 != "=" }) }.filter(ProducerConfiguration.isSecret).map {
                "-X \($0): a secret on the command line is visible to every user of this machine (ps, /proc/PID/cmdline); put it in --kafka-config"
            }
            return try secrets + (configFile.map { try KafkaConfigFile(path: $0).warnings } ?? [])
        }
    }

    @OptionGroup var values: ValueFormatOptions

    /// The topics' names and the value format's options (see `CombinationChecks`).
    func check() throws {
        try topics.check()
        try values.check()
    }

    /// The producer's properties: the defaults (batching for `pace`), `bootstrapServers`, the
    /// `--kafka-config` file (less the Schema Registry's properties), then `-X`, each checked by librdkafka.
    /// With `statistics`, librdkafka reports every second (the brokers' state for the metrics),
    /// unless the properties set their own interval.
    func producerConfiguration(bootstrapServers: String, pace: Pace, statistics: Bool = false) throws -> ProducerConfiguration {
        try ProducerConfiguration(bootstrapServers: bootstrapServers, batching: pace == .max ? .throughput : .latency,
                                  file: configFile.map { try KafkaConfigFile(path: $0).separating(SchemaRegistrySettings.isRegistryProperty).rest },
                                  overrides: (statistics ? ["statistics.interval.ms=1000"] : []) + properties)
    }

    /// Where the run publishes, as its record says; nil for `--brokers none`.
    var target: RunRecord.KafkaTarget? {
        brokers == "none" ? nil : RunRecord.KafkaTarget(brokers: brokers, topics: topics.names, valueFormat: values.format.rawValue)
    }
}
