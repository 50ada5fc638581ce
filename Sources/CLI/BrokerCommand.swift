import ArgumentParser
import Kafka
#if canImport(Glibc)
import Glibc
#endif

/// `replay broker`: the embedded Kafka broker on its own, so that one process can produce to it
/// and another consume from it. Serves until SIGINT or SIGTERM.
struct Broker: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the embedded Kafka broker (librdkafka's mock cluster) until SIGINT/SIGTERM.")

    @Option(help: "Partitions of each pre-created topic.")
    var partitions = 8

    @OptionGroup(title: "Topics")
    var kafka: KafkaOptions

    func validate() throws {
        guard (1...1_000).contains(partitions) else { throw ValidationError("--partitions must be from 1 to 1000") }
    }

    func run() throws {
        // Block the signals before librdkafka starts its threads, so that only sigwait sees them.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        let broker = try EmbeddedBroker(topics: [kafka.merchantTopic, kafka.transactionTopic], partitions: partitions)
        StandardOutput.write("bootstrap \(broker.bootstrapServers)\n")
        var received: Int32 = 0
        sigwait(&signals, &received)
        broker.shutDown()
    }
}
