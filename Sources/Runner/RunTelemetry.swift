import SimulatedClock
import Engine
import Foundation
import KafkaClient
import Logging
import Records
import Telemetry

/// Where a run serves its Prometheus metrics and health probes.
public struct MetricsSettings: Sendable {
    /// The address the server listens on (`127.0.0.1`, `0.0.0.0` in a container).
    public var address: String
    /// The port; 0: any free port.
    public var port: Int
    /// Seconds to keep serving the final figures after a run completes (a stop request ends it).
    public var linger: Double

    public init(address: String = "127.0.0.1", port: Int, linger: Double = 0) {
        self.address = address
        self.port = port
        self.linger = linger
    }
}

/// The metrics and health endpoints of a run: the server, the run's metrics and its health, wired
/// to the run loop and, when it publishes, to the Kafka connection. Every property is set once; the
/// server's threads reach the connection only through `KafkaFigures`, under its lock.
final class RunTelemetry: Sendable {
    let metrics: RunMetrics
    let health: RunHealth
    private let server: MetricsServer
    private let kafka: KafkaFigures

    /// Starts serving at once; a port that cannot be bound is a one-line error.
    /// `streams`: the run's, whose events the metrics count.
    init(settings: MetricsSettings, zone: SimulatedTimeZone, streams: [any EventStream], logger: Logger) throws {
        let clock = MonotonicClock()
        let health = RunHealth(now: clock.now)
        let metrics = RunMetrics(health: health, utcSecond: zone.utcSecond(ofLocal:), streams: streams)
        let kafka = KafkaFigures()
        do {
            server = try MetricsServer(host: settings.address, port: settings.port, registry: metrics.registry, health: health) {
                kafka.sample(into: metrics)
            }
        } catch let error as MetricsServerError {
            throw UserError(error.description)
        }
        self.health = health
        self.metrics = metrics
        self.kafka = kafka
        logger.info("serving metrics on http://\(MetricsServer.hostPort(server.address, server.port))/metrics (probes /healthz, /readyz)")
    }

    /// From now on, each scrape samples `connection`'s figures; nil: a files-only run.
    func attach(_ connection: KafkaConnection?) {
        kafka.attach(connection)
        health.setBrokersConnected(connection?.sink.brokersUp)
    }

    /// After a completed run, keeps serving the final figures for `seconds` or until `shouldStop`.
    func linger(_ seconds: Double, logger: Logger, shouldStop: @escaping () -> Bool) {
        health.markStopping()
        guard seconds > 0 else { return }
        kafka.sample(into: metrics)
        logger.info("run complete: serving the final metrics for \(Int(seconds)) s (SIGTERM ends it)")
        let pacer = Pacer(pace: .factor(1), isInterrupted: { [health] in
            health.beat()  // finished, not stuck: /healthz stays live while the final figures are served
            return shouldStop()
        })
        pacer.anchor(at: 0)
        pacer.wait(until: seconds)
    }

    /// Stops serving (once, when the run ends).
    func shutDown() {
        server.shutDown()
    }
}

/// The Kafka connection a scrape samples, set by the run's thread and read by the server's.
private final class KafkaFigures: @unchecked Sendable {
    private let lock = NSLock()
    private var connection: KafkaConnection?

    func attach(_ connection: KafkaConnection?) {
        lock.withLock { self.connection = connection }
    }

    /// Hands the connection's current figures to `metrics` (nothing before a connection is attached).
    func sample(into metrics: RunMetrics) {
        guard let sink = lock.withLock({ connection?.sink }) else { return }
        metrics.update(KafkaSample(
            topics: sink.figures.map {
                KafkaSample.Topic(name: $0.topic, stream: $0.stream, produced: $0.produced, acknowledged: $0.acknowledged, failed: $0.failed,
                                  skipped: $0.skipped, acknowledgedBytes: $0.acknowledgedBytes)
            },
            queueDepth: sink.queueDepth, brokersUp: sink.brokersUp))
    }
}
