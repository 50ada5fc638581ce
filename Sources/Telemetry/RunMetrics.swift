import Engine
import Records
import Foundation
import Metrics
import Prometheus
import Simulation
import Checkpoints

/// Kafka figures read when metrics are scraped.
public struct KafkaSample: Sendable {
    /// Per topic, cumulative since the run started.
    public struct Topic: Sendable {
        public var name: String
        /// The stream the topic carries (`EventStream.name`).
        public var stream: String
        public var produced: Int
        public var acknowledged: Int
        public var failed: Int
        public var skipped: Int
        public var acknowledgedBytes: Int

        public init(name: String, stream: String, produced: Int, acknowledged: Int, failed: Int, skipped: Int, acknowledgedBytes: Int) {
            self.name = name
            self.stream = stream
            self.produced = produced
            self.acknowledged = acknowledged
            self.failed = failed
            self.skipped = skipped
            self.acknowledgedBytes = acknowledgedBytes
        }
    }

    public var topics: [Topic]
    /// Messages waiting in librdkafka's queues (not yet acknowledged).
    public var queueDepth: Int
    /// Brokers the producer is connected to; nil while librdkafka has not reported them yet.
    public var brokersUp: Int?

    public init(topics: [Topic], queueDepth: Int, brokersUp: Int?) {
        self.topics = topics
        self.queueDepth = queueDepth
        self.brokersUp = brokersUp
    }
}

/// The run's metrics, kept through swift-metrics in a Prometheus registry: what the run loop
/// emitted (observed as it happens), and Kafka's figures (sampled at each scrape).
public final class RunMetrics: RunObserver, @unchecked Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let health: RunHealth
    private let utcSecond: (Int64) -> Int64
    /// How late the pacer is for a simulated second; nil at max pace.
    private var lagOf: ((Double) -> Double)?
    /// Per stream of the run, in order, the events handed to the sinks.
    private let emittedEvents: [Metrics.Counter]
    private let days: Metrics.Counter
    /// With disorder: late and duplicate deliveries made.
    private let lateDeliveries: Metrics.Counter
    private let duplicateDeliveries: Metrics.Counter
    private let simulatedTime: Metrics.Gauge
    private let lag: Metrics.Gauge
    private let lastCheckpoint: Metrics.Gauge
    private let lastCheckpointDuration: Metrics.Gauge
    private let queueDepth: Metrics.Gauge
    private let brokersUp: Metrics.Gauge
    private let factory: PrometheusMetricsFactory
    private let streams: [any EventStream]
    private let kafkaLock = NSLock()
    private var kafkaTotals: [String: KafkaSample.Topic] = [:]

    /// `utcSecond` turns a simulated (local wall-clock) second into its UTC second; `streams` name the `stream` label's values.
    public init(health: RunHealth, utcSecond: @escaping (Int64) -> Int64, streams: [any EventStream]) {
        self.health = health
        self.utcSecond = utcSecond
        self.streams = streams
        factory = PrometheusMetricsFactory(registry: registry)
        emittedEvents = streams.map { [factory] in Metrics.Counter(label: "replay_events_emitted_total", dimensions: [("stream", $0.name)], factory: factory) }
        days = Metrics.Counter(label: "replay_days_completed_total", factory: factory)
        lateDeliveries = Metrics.Counter(label: "replay_deliveries_total", dimensions: [("kind", "late")], factory: factory)
        duplicateDeliveries = Metrics.Counter(label: "replay_deliveries_total", dimensions: [("kind", "duplicate")], factory: factory)
        simulatedTime = Metrics.Gauge(label: "replay_simulated_time_seconds", factory: factory)
        lag = Metrics.Gauge(label: "replay_schedule_lag_seconds", factory: factory)
        lastCheckpoint = Metrics.Gauge(label: "replay_last_checkpoint_timestamp_seconds", factory: factory)
        lastCheckpointDuration = Metrics.Gauge(label: "replay_last_checkpoint_duration_seconds", factory: factory)
        queueDepth = Metrics.Gauge(label: "replay_kafka_queue_messages", factory: factory)
        brokersUp = Metrics.Gauge(label: "replay_kafka_brokers_up", factory: factory)
    }

    public func paced(lag: @escaping (Double) -> Double) {
        lagOf = lag
    }

    public func dayStarted(_ events: DayEvents) {
        health.beat()
    }

    /// While no event is due the simulated clock follows the schedule, and the run is not behind it.
    public func waiting(at second: Double) {
        simulatedTime.record(utcSecond(Int64(second.rounded(.down))))
        lag.record(0)
    }

    public func emitted(_ slice: EventSlice, simulatedSecond: Int64) {
        for (counter, range) in zip(emittedEvents, slice.ranges) where !range.isEmpty { counter.increment(by: range.count) }
        if let deliveries = slice.deliveries {
            var late = 0, duplicates = 0
            for delivery in deliveries {
                switch delivery.mark.kind {
                case .late: late += 1
                case .duplicate: duplicates += 1
                case .onTime: break
                }
            }
            lateDeliveries.increment(by: late)
            duplicateDeliveries.increment(by: duplicates)
        }
        let last = zip(streams, slice.ranges).compactMap { stream, range in range.last.map { stream.eventTime(at: $0, in: slice.events) } }.max()
        simulatedTime.record(utcSecond(last ?? simulatedSecond))
        if let lagOf { lag.record(max(0, lagOf(Double(simulatedSecond)))) }
        health.beat()
    }

    public func dayCompleted(_ totals: DayTotals, state: SimulationState) {
        days.increment()
        simulatedTime.record(utcSecond(totals.day.adding(days: 1).startSecond))
        health.beat()
    }

    public func committed(_ checkpoint: Checkpoint, seconds: Double) {
        lastCheckpoint.record(Date().timeIntervalSince1970)
        lastCheckpointDuration.record(seconds)
        health.markStarted()
        health.beat()
    }

    /// Brings the Kafka metrics up to `sample` (counters move by the difference since the last one).
    public func update(_ sample: KafkaSample) {
        kafkaLock.withLock {
            for topic in sample.topics {
                let before = kafkaTotals[topic.name] ?? .init(name: topic.name, stream: topic.stream, produced: 0, acknowledged: 0, failed: 0, skipped: 0, acknowledgedBytes: 0)
                let dimensions = [("topic", topic.name), ("stream", topic.stream)]
                // Every counter exists from the first sample on (at 0), as Prometheus expects.
                func add(_ name: String, _ now: Int, _ then: Int) {
                    let counter = Metrics.Counter(label: name, dimensions: dimensions, factory: factory)
                    if now > then { counter.increment(by: now - then) }
                }
                add("replay_kafka_events_produced_total", topic.produced, before.produced)
                add("replay_kafka_events_acknowledged_total", topic.acknowledged, before.acknowledged)
                add("replay_kafka_events_failed_total", topic.failed, before.failed)
                add("replay_kafka_events_skipped_total", topic.skipped, before.skipped)
                add("replay_kafka_acknowledged_bytes_total", topic.acknowledgedBytes, before.acknowledgedBytes)
                kafkaTotals[topic.name] = topic
            }
            queueDepth.record(sample.queueDepth)
            if let up = sample.brokersUp { brokersUp.record(up) }
        }
        health.setBrokersConnected(sample.brokersUp)
    }
}
