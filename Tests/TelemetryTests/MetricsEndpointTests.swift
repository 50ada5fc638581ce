import Checkpoints
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Records
import Simulation
import Telemetry
import Testing

/// The run's metrics and probes in process: `RunMetrics` observes a simulated day's slices and
/// Kafka samples, `MetricsServer` serves them on loopback, and Foundation's HTTP client reads them.
@Suite struct MetricsEndpointTests {
    /// A server on a free loopback port for `metrics`, shut down by the caller.
    func serve(_ metrics: RunMetrics, _ health: RunHealth) throws -> MetricsServer {
        try MetricsServer(host: "127.0.0.1", port: 0, registry: metrics.registry, health: health, refresh: {})
    }

    /// The status and body of `GET path`.
    func get(_ server: MetricsServer, _ path: String) async throws -> (status: Int, body: String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(server.port)\(path)")!)
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }

    /// The value of the sample line that starts with `series` (name and labels as the text format writes them).
    func value(of series: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last!) }
    }

    @Test func everyStreamsEventsAreCountedUnderItsName() async throws {
        let health = RunHealth(now: { 0 })
        let metrics = RunMetrics(health: health, utcSecond: { $0 }, streams: EventStreams.standard)
        var simulator = Simulator(state: SimulationState(seed: 7))
        let day = simulator.simulate(Day(iso: "2024-03-01")!)
        let half = day.transactions.count / 2
        metrics.emitted(EventSlice(events: day, ranges: [0..<day.merchantEvents.count, 0..<0]), simulatedSecond: day.day.startSecond)
        metrics.emitted(EventSlice(events: day, ranges: [0..<0, 0..<half]), simulatedSecond: day.transactions[0].timestamp)
        metrics.emitted(EventSlice(events: day, ranges: [0..<0, half..<day.transactions.count]), simulatedSecond: day.transactions[half].timestamp)
        let server = try serve(metrics, health)
        defer { server.shutDown() }
        let (status, text) = try await get(server, "/metrics")
        #expect(status == 200)
        #expect(value(of: #"replay_events_emitted_total{stream="merchants"}"#, in: text) == Double(day.merchantEvents.count))
        #expect(value(of: #"replay_events_emitted_total{stream="transactions"}"#, in: text) == Double(day.transactions.count))
        #expect(value(of: "replay_simulated_time_seconds", in: text) == Double(day.transactions.last!.timestamp))
    }

    /// A quiet hour: the last events came out late (catching up), then nothing is due. The
    /// simulated clock follows the schedule and the lag says the run is not behind it.
    @Test func whileNothingIsDueTheClockMovesAndTheLagIsZero() async throws {
        let health = RunHealth(now: { 0 })
        let metrics = RunMetrics(health: health, utcSecond: { $0 - 3_600 }, streams: EventStreams.standard)  // a zone one hour ahead of UTC
        var simulator = Simulator(state: SimulationState(seed: 7))
        let day = simulator.simulate(Day(iso: "2024-03-01")!)
        metrics.paced(lag: { _ in 2_127 })
        metrics.emitted(EventSlice(events: day, ranges: [0..<day.merchantEvents.count, 0..<0]), simulatedSecond: day.day.startSecond)
        let server = try serve(metrics, health)
        defer { server.shutDown() }
        #expect(value(of: "replay_schedule_lag_seconds", in: try await get(server, "/metrics").body) == 2_127)
        let quiet = Double(day.day.startSecond + 3 * 3_600) + 0.7
        metrics.waiting(at: quiet)
        let text = try await get(server, "/metrics").body
        #expect(value(of: "replay_schedule_lag_seconds", in: text) == 0)
        #expect(value(of: "replay_simulated_time_seconds", in: text) == Double(day.day.startSecond + 3 * 3_600 - 3_600))
    }

    @Test func kafkaCountersFollowTheLatestSamplePerTopicAndStream() async throws {
        let health = RunHealth(now: { 0 })
        let metrics = RunMetrics(health: health, utcSecond: { $0 }, streams: EventStreams.standard)
        func sample(_ produced: Int, _ acknowledged: Int) -> KafkaSample {
            KafkaSample(topics: [.init(name: "t.m", stream: "merchants", produced: 3, acknowledged: 3, failed: 0, skipped: 1, acknowledgedBytes: 300),
                                 .init(name: "t.t", stream: "transactions", produced: produced, acknowledged: acknowledged, failed: 0, skipped: 0,
                                       acknowledgedBytes: acknowledged * 100)],
                        queueDepth: produced - acknowledged, brokersUp: 1)
        }
        metrics.update(sample(100, 40))
        metrics.update(sample(250, 200))
        let server = try serve(metrics, health)
        defer { server.shutDown() }
        let text = try await get(server, "/metrics").body
        #expect(value(of: #"replay_kafka_events_produced_total{topic="t.t",stream="transactions"}"#, in: text) == 250)
        #expect(value(of: #"replay_kafka_events_acknowledged_total{topic="t.t",stream="transactions"}"#, in: text) == 200)
        #expect(value(of: #"replay_kafka_acknowledged_bytes_total{topic="t.t",stream="transactions"}"#, in: text) == 20_000)
        #expect(value(of: #"replay_kafka_events_skipped_total{topic="t.m",stream="merchants"}"#, in: text) == 1)
        #expect(value(of: #"replay_kafka_events_failed_total{topic="t.m",stream="merchants"}"#, in: text) == 0, "a counter exists from the first sample on")
        #expect(value(of: "replay_kafka_queue_messages", in: text) == 50)
        #expect(value(of: "replay_kafka_brokers_up", in: text) == 1)
    }

    @Test func theProbesFollowTheRunsHealth() async throws {
        let clock = ManualTime()
        let health = RunHealth(livenessWindow: 60, now: { clock.now })
        let metrics = RunMetrics(health: health, utcSecond: { $0 }, streams: EventStreams.standard)
        let server = try serve(metrics, health)
        defer { server.shutDown() }
        #expect(try await get(server, "/healthz").status == 200)
        #expect(try await get(server, "/readyz").status == 503, "not ready before the starting point is committed")
        health.markStarted()
        health.setBrokersConnected(1)
        #expect(try await get(server, "/readyz").status == 200)
        clock.now = 61
        #expect(try await get(server, "/healthz").status == 503, "a run loop silent for longer than the window is not live")
        health.markStopping()
        #expect(try await get(server, "/readyz").status == 503)
        #expect(try await get(server, "/nowhere").status == 404)
    }
}

/// A clock the test moves.
final class ManualTime: @unchecked Sendable {
    var now = 0.0
}
