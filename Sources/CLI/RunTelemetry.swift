import SimulatedClock
import Engine
import Foundation
import KafkaClient
import Logging
import Telemetry

/// The metrics and health endpoints of a run (`--metrics-port`): the server, the run's metrics
/// and its health, wired to the run loop and, when it publishes, to the Kafka connection.
final class RunTelemetry: @unchecked Sendable {
    let metrics: RunMetrics
    let health: RunHealth
    private var server: MetricsServer?
    private let lock = NSLock()
    private var kafka: KafkaConnection?

    /// Starts serving at once; a port that cannot be bound is a one-line error.
    init(options: MetricsOptions, zone: SimulatedTimeZone, logger: Logger) throws {
        let clock = MonotonicClock()
        health = RunHealth(now: clock.now)
        metrics = RunMetrics(health: health, utcSecond: zone.utcSecond(ofLocal:))
        do {
            server = try MetricsServer(host: options.address, port: options.port ?? 0, registry: metrics.registry, health: health) { [weak self] in
                self?.sampleKafka()
            }
        } catch let error as MetricsServerError {
            throw UserError(error.description)
        }
        logger.info("serving metrics on http://\(MetricsServer.hostPort(server!.address, server!.port))/metrics (probes /healthz, /readyz)")
    }

    /// From now on, each scrape samples `connection`'s figures; nil: a files-only run.
    func attach(_ connection: KafkaConnection?) {
        lock.withLock { kafka = connection }
        health.setBrokersConnected(connection?.sink.brokersUp)
    }

    private func sampleKafka() {
        guard let connection = lock.withLock({ kafka }) else { return }
        let sink = connection.sink
        metrics.update(KafkaSample(
            topics: sink.figures.map {
                KafkaSample.Topic(name: $0.topic, stream: $0.stream, produced: $0.produced, acknowledged: $0.acknowledged, failed: $0.failed,
                                  skipped: $0.skipped, acknowledgedBytes: $0.acknowledgedBytes)
            },
            queueDepth: sink.queueDepth, brokersUp: sink.brokersUp))
    }

    /// After a completed run, keeps serving the final figures for `seconds` or until a signal.
    func linger(_ seconds: Double, logger: Logger) {
        health.markStopping()
        guard seconds > 0 else { return }
        sampleKafka()
        logger.info("run complete: serving the final metrics for \(Int(seconds)) s (SIGTERM ends it)")
        let pacer = Pacer(pace: .factor(1), isInterrupted: { [health] in
            health.beat()  // finished, not stuck: /healthz stays live while the final figures are served
            return StopSignal.isRequested
        })
        pacer.anchor(at: 0)
        pacer.wait(until: seconds)
    }

    func shutDown() {
        server?.shutDown()
        server = nil
    }
}
