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

    @Option(parsing: .unconditional, help: "Partitions of each pre-created topic; each keeps only its newest ~5 MiB (the default holds a 90-day replay).")
    var partitions = EmbeddedBroker.defaultPartitionCount

    @Option(parsing: .unconditional, help: "Bootstrap port on 127.0.0.1 (relayed to the broker's own port); default: the broker's own.")
    var port: UInt16?

    @OptionGroup(title: "Topics")
    var topics: TopicOptions

    @Option(name: .customLong("log-format"), help: "text (for a person) or json (one object per line); the broker writes only errors, on stderr.")
    var logFormat: LogFormat = .text

    /// Run from `run`, after the parser has reported any unknown option (see `CombinationChecks`).
    func check() throws {
        guard (1...1_000).contains(partitions) else { throw ValidationError("--partitions must be from 1 to 1000") }
        guard port != 0 else { throw ValidationError("--port must be from 1 to 65535") }
        try topics.check()
    }

    func run() throws {
        try check()
        // Block the signals before librdkafka starts its threads, so that only sigwait sees them.
        var signals = sigset_t()
        sigemptyset(&signals)
        for number in StopSignal.numbers { sigaddset(&signals, number) }
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        let broker = try EmbeddedBroker(topics: topics.names, partitions: partitions)
        let relay = try port.map { try BootstrapRelay(port: $0, relayingTo: broker.bootstrapServers) }
        StandardOutput.write("bootstrap \(relay.map { "127.0.0.1:\($0.port)" } ?? broker.bootstrapServers)\n")
        var received: Int32 = 0
        sigwait(&signals, &received)
        relay?.stop()
        broker.shutDown()
    }
}
