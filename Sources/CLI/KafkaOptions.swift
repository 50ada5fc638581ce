import ArgumentParser

/// Where and how events are published to Kafka.
struct KafkaOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers (host:port,…), 'embedded' (an in-process broker, the default) or 'none' (files only).")
    var brokers = "embedded"

    @Option(name: .customLong("topic-merchants"), help: "Topic of merchant change events.")
    var merchantTopic = "payments.merchants"

    @Option(name: .customLong("topic-transactions"), help: "Topic of transaction events.")
    var transactionTopic = "payments.transactions"

    @Option(name: .customShort("X"), help: ArgumentHelp("A librdkafka producer property (repeatable).", valueName: "key=value"))
    var properties: [String] = []
}
