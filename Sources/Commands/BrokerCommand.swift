import DevelopmentBroker
import ArgumentParser
import BrokerGateway
import Engine
import KafkaClient
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `replay broker`: the embedded Kafka broker on its own, so that one process can produce to it
/// and another consume from it. Clients reach it through a Kafka-protocol gateway that answers
/// what librdkafka's mock cluster cannot answer to Java clients (see `KafkaGateway`) and creates
/// every topic with `--partitions`. Serves until SIGINT, SIGTERM or SIGHUP.
struct Broker: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the embedded Kafka broker (librdkafka's mock cluster behind a gateway for Java clients) until SIGINT/SIGTERM.")

    @Option(parsing: .unconditional,
            help: "Partitions of every topic (those of the streams, pre-created, and any other a client asks for); each keeps only its newest ~5 MiB (the default holds a 90-day replay).")
    var partitions = EmbeddedBroker.defaultPartitionCount

    @Option(parsing: .unconditional, help: "Bootstrap port on 127.0.0.1; default: any free port.")
    var port: UInt16?

    @OptionGroup(title: "Topics")
    var topics: TopicOptions

    @Option(name: .customLong("log-format"), help: "text (for a person) or json (one object per line); the broker writes only errors, on stderr.")
    var logFormat: LogFormat = .text

    /// Run from `run`, after the parser has reported any unknown option (see `Generate.check`).
    func check() throws {
        guard (1...1_000).contains(partitions) else { throw ValidationError("--partitions must be from 1 to 1000") }
        guard port != 0 else { throw ValidationError("--port must be from 1 to 65535") }
        try topics.check()
    }

    func run() throws {
        try check()
        // Block the signals before librdkafka and NIO start their threads, so that only sigwait sees them.
        var signals = sigset_t()
        sigemptyset(&signals)
        for number in StopSignal.numbers { sigaddset(&signals, number) }
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        let broker = try EmbeddedBroker(topics: topics.names, partitions: partitions)
        let mockPort = Int(broker.bootstrapServers.split(separator: ",")[0].split(separator: ":").last!)!
        let gateway: KafkaGateway
        do {
            gateway = try KafkaGateway(port: Int(port ?? 0), upstreamHost: "127.0.0.1", upstreamPort: mockPort,
                                       catalog: MockTopics(broker: broker, partitions: partitions, existing: topics.names))
        } catch let error as GatewayError {
            throw UserError(error.description)
        }
        StandardOutput.write("bootstrap \(gateway.host):\(gateway.port)\n")
        var received: Int32 = 0
        sigwait(&signals, &received)
        gateway.shutDown()
        broker.shutDown()
    }
}

/// The mock cluster's topics, created with the broker's partition count when a client asks for one.
private final class MockTopics: TopicCatalog {
    private let broker: EmbeddedBroker
    private let partitions: Int
    private let known: Mutex<Set<String>>

    init(broker: EmbeddedBroker, partitions: Int, existing: [String]) {
        self.broker = broker
        self.partitions = partitions
        known = Mutex(Set(existing))
    }

    func exists(_ topic: String) -> Bool { known.withLock { $0.contains(topic) } }

    func create(_ topics: [String]) {
        for topic in topics where !exists(topic) && broker.createTopic(topic, partitions: partitions) {
            known.withLock { _ = $0.insert(topic) }
        }
    }
}
