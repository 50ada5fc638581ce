import ArgumentParser

/// The names of the two topics.
struct TopicOptions: ParsableArguments {
    @Option(name: .customLong("topic-merchants"), help: "Topic of merchant change events.")
    var merchants = "payments.merchants"

    @Option(name: .customLong("topic-transactions"), help: "Topic of transaction events.")
    var transactions = "payments.transactions"

    /// In `EventStream` order.
    var names: [String] { [merchants, transactions] }
}

/// Where and how events are published to Kafka.
struct KafkaOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers (host:port,…), 'embedded' (an in-process broker, the default) or 'none' (files only).")
    var brokers = "embedded"

    @OptionGroup var topics: TopicOptions

    @Option(name: .customShort("X"), help: ArgumentHelp("A librdkafka producer property (repeatable).", valueName: "key=value"))
    var properties: [String] = []
}
