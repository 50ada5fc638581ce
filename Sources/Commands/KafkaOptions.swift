import ArgumentParser
import Records
import Runner

/// The topic of each stream (`EventStreams.all`): its default, or the one `--topic STREAM=TOPIC` names.
struct TopicOptions: ParsableArguments {
    @Option(name: .customLong("topic"),
            help: ArgumentHelp("A stream's topic (repeatable); by default "
                               + EventStreams.all.map { "\($0.name)=\($0.defaultTopic)" }.joined(separator: ", ") + ".",
                               valueName: "stream=topic"))
    var assignments: [String] = []

    // The options of earlier versions, still read: --topic merchants=… and --topic transactions=….
    @Option(name: .customLong("topic-merchants"), help: .hidden) var merchantsTopic: String?
    @Option(name: .customLong("topic-transactions"), help: .hidden) var transactionsTopic: String?

    /// Each stream's topic, in `EventStreams.all` order (call after `check`).
    var names: [String] { (try? resolved()) ?? EventStreams.defaultTopics }

    /// Each stream's topic; a one-line error for an assignment that names no stream, names one
    /// twice, or gives a name Kafka refuses (1 to 249 of `a-z A-Z 0-9 . _ -`, not `.` or `..`),
    /// and when two streams would share a topic.
    private func resolved() throws -> [String] {
        var topics = EventStreams.defaultTopics
        var named = Set<Int>()
        let aliases = [("merchants", merchantsTopic), ("transactions", transactionsTopic)].compactMap { name, topic in topic.map { "\(name)=\($0)" } }
        for assignment in aliases + assignments {
            let parts = assignment.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let streams = EventStreams.all.map(\.name).joined(separator: ", ")
            guard parts.count == 2, let index = EventStreams.index(named: String(parts[0])) else {
                throw ValidationError("--topic '\(assignment)' is not STREAM=TOPIC with a stream among \(streams)")
            }
            guard named.insert(index).inserted else { throw ValidationError("--topic names the topic of \(parts[0]) twice") }
            let name = String(parts[1])
            let allowed = name.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".")
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
            guard allowed, (1...249).contains(name.utf8.count), name != ".", name != ".." else {
                throw ValidationError("--topic \(parts[0])='\(name)' is not a Kafka topic name (1-249 of a-z A-Z 0-9 . _ -)")
            }
            topics[index] = name
        }
        if Set(topics).count < topics.count { throw ValidationError("each stream needs a topic of its own: \(topics.joined(separator: ", "))") }
        return topics
    }

    func check() throws { _ = try resolved() }
}

/// Where and how events are published to Kafka.
struct KafkaOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers (host:port,…), 'embedded' (an in-process broker, the default) or 'none' (files only).")
    var brokers: BrokerChoice = .embedded

    @OptionGroup var topics: TopicOptions

    @Option(name: .customLong("kafka-config"),
            help: ArgumentHelp("A file of librdkafka producer properties (key=value lines, # comments), read before -X.", valueName: "file"))
    var configFile: String?

    @Option(name: .customShort("X"), help: ArgumentHelp("A librdkafka producer property (repeatable; wins over --kafka-config). Secrets belong in --kafka-config: a command line is visible to every user of the machine.", valueName: "key=value"))
    var properties: [String] = []

    @OptionGroup var values: ValueFormatOptions

    /// The topics' names and the value format's options (see `CombinationChecks`).
    func check() throws {
        try topics.check()
        try values.check()
    }

    /// The options as the library's settings (call after `check`).
    var settings: KafkaSettings {
        KafkaSettings(brokers: brokers, topics: topics.names, configFile: configFile, properties: properties, valueFormat: values.choice)
    }
}

/// `--brokers`: read with `BrokerChoice(argument:)`, shown with its description.
extension BrokerChoice: ExpressibleByArgument {}
