import CRdKafka
import Foundation
import Logging
import Synchronization

/// The one owner of a librdkafka producer handle. Produces with `rd_kafka_produceva` and
/// `RD_KAFKA_MSG_F_COPY` to the partition the caller chose (the topic index is the message
/// opaque), treats a full queue as backpressure, stops at the first failed delivery, and flushes
/// before destroying. One thread of its own polls the handle from creation until `shutDown`: every
/// callback (delivery reports, error events, statistics, and librdkafka's log lines, which
/// `log.queue` sends to the same queue) runs there; other threads wait for it, never poll. Once
/// it has stopped, `shutDown` serves what it left, then destroys the handle. librdkafka's log lines and
/// error events go to the logger, if one is given.
public final class KafkaProducer: @unchecked Sendable {
    public let topics: [String]
    public let bootstrapServers: String
    /// The properties it was made with (a consumer reading its topics back takes them too).
    public let configuration: ProducerConfiguration
    /// How long acknowledgements may stall before the run is failed.
    public let stallTimeout: Double

    private let handle: OpaquePointer
    private let topicHandles: [OpaquePointer]
    package let ledger: DeliveryLedger
    /// Where librdkafka's lines go, and the run's warnings about Kafka; nil to drop them.
    package let logger: Logger?
    private let callbacks: ProducerCallbacks
    private let poller: DeliveryPoller
    /// Whether the handle may still be read: readers on other threads (`queueDepth`, for
    /// `/metrics`) hold it only for a non-blocking call, and `shutDown` only to change it, never
    /// across its flush.
    private let lifecycle = Mutex(Lifecycle.open)
    private let arguments = ProduceArguments()

    /// Connects to the cluster and checks within `connectTimeout` seconds that it answers (or until `interruption`).
    public init(configuration: ProducerConfiguration, topics: [String], logger: Logger? = nil,
                connectTimeout: Double = 10, stallTimeout: Double = 30, interruption: Interruption = .never) throws {
        self.topics = topics
        self.stallTimeout = stallTimeout
        self.logger = logger
        bootstrapServers = configuration.bootstrapServers
        self.configuration = configuration
        ledger = DeliveryLedger(topicCount: topics.count)
        callbacks = ProducerCallbacks(ledger: ledger, log: logger.map { ClientLog(logger: $0, configuration: configuration) })
        let conf = try configuration.makeNativeConfiguration()
        callbacks.install(on: conf)
        var error = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &error, error.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError("cannot create a Kafka producer: \(configuration.hidingSecrets(in: String(cBuffer: error)))")
        }
        self.handle = handle
        // Log lines wait in the main queue for the poll thread (nil: the main queue).
        rd_kafka_set_log_queue(handle, nil)
        var handles: [OpaquePointer] = []
        for topic in topics {
            guard let topicHandle = rd_kafka_topic_new(handle, topic, nil) else {
                handles.forEach { rd_kafka_topic_destroy($0) }
                rd_kafka_destroy(handle)
                throw KafkaError("invalid topic name '\(topic)': \(String(cString: rd_kafka_err2str(rd_kafka_last_error())))")
            }
            handles.append(topicHandle)
        }
        topicHandles = handles
        poller = DeliveryPoller(handle: handle, ledger: ledger)
        do {
            try checkReachable(timeout: connectTimeout, interruption: interruption)
            callbacks.log?.connected()
        } catch {
            shutDown(flushTimeout: 0)
            callbacks.log?.failedToConnect()
            throw error
        }
    }

    /// Queues one message for `partition`; waits (serving delivery reports) while the local queue
    /// is full. Fails as soon as any earlier message failed: nothing is produced after a gap.
    public func produce(topic: Int, partition: Int32, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
                        timestampMilliseconds: Int64, headers: RecordHeaders) throws {
        var stall = StallWatch(timeout: stallTimeout)
        while true {
            if ledger.hasFailure { try throwDeliveryFailure() }
            arguments.fill(topic: topicHandles[topic], index: topic, partition: partition, key: key, value: value,
                           timestampMilliseconds: timestampMilliseconds, headers: headers)
            guard let error = rd_kafka_produceva(handle, arguments.pointer, arguments.count) else {
                ledger.produced(topic: topic)
                return
            }
            let code = rd_kafka_error_code(error)
            let text = String(cString: rd_kafka_error_string(error))
            rd_kafka_error_destroy(error)
            guard code == RD_KAFKA_RESP_ERR__QUEUE_FULL else {
                throw KafkaError("cannot produce to \(topics[topic]) at \(bootstrapServers): \(text)")
            }
            poller.waitForCallbacks(timeout: 0.01)
            try stall.check(progress: ledger.settled) { try stalledError() }
        }
    }

    /// The partition count of `topics[topic]`, from the cluster's metadata (which creates the
    /// topic where the cluster creates topics on first use); waits up to `timeout` seconds for it.
    public func partitionCount(ofTopic topic: Int, timeout: Double = 10, interruption: Interruption = .never) throws -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        var problem = "no metadata"
        while true {
            try interruption.check()
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let code = rd_kafka_metadata(handle, 0, topicHandles[topic], &metadata, max(1, interruption.nextWait(until: deadline)))
            if code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata {
                defer { rd_kafka_metadata_destroy(metadata) }
                let found = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
                    .first { String(cString: $0.topic) == topics[topic] }
                if let found, found.err == RD_KAFKA_RESP_ERR_NO_ERROR, found.partition_cnt > 0 { return Int(found.partition_cnt) }
                problem = found.map { String(cString: rd_kafka_err2str($0.err)) } ?? "not in the metadata"
            } else {
                problem = String(cString: rd_kafka_err2str(code))
            }
            guard Date() < deadline else {
                throw KafkaError("topic \(topics[topic]) is not available at \(bootstrapServers): \(problem) (create it, or let the cluster create topics)")
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// The low and high watermarks (the oldest offset the broker still holds, and the offset the
    /// next record will get) of a partition of `topics[topic]`; nil if the broker does not answer
    /// within `timeout` seconds.
    package func watermarks(topic: Int, partition: Int, timeout: Double) -> (low: Int64, high: Int64)? {
        var low: Int64 = -1, high: Int64 = -1
        let code = rd_kafka_query_watermark_offsets(handle, topics[topic], Int32(partition), &low, &high, Int32(timeout * 1000))
        return code == RD_KAFKA_RESP_ERR_NO_ERROR ? (low, high) : nil
    }

    /// The cluster's id, from the metadata librdkafka last received (waiting up to `timeout`
    /// seconds when it has none); nil when the cluster does not say.
    public func clusterId(timeout: Double = 0) -> String? {
        guard let id = rd_kafka_clusterid(handle, Int32(timeout * 1000)) else { return nil }
        defer { rd_kafka_mem_free(handle, id) }
        return String(cString: id)
    }

    /// Returns once every queued message is acknowledged (the poll thread serves the reports; a
    /// batch still lingering goes out when its `linger.ms` ends); fails on a delivery failure, a
    /// fatal error, or when no acknowledgement arrives for `stallTimeout` seconds.
    public func awaitAcknowledgements() throws {
        var stall = StallWatch(timeout: stallTimeout)
        while rd_kafka_outq_len(handle) > 0 {
            poller.waitForCallbacks(timeout: 0.2)
            if let fatal = ledger.snapshot.fatal { throw KafkaError("Kafka producer failed at \(bootstrapServers): \(fatal)") }
            try stall.check(progress: ledger.settled) { try stalledError() }
        }
        try throwDeliveryFailure()
    }

    /// Throws when any delivery failed or the broker lost acknowledged records.
    private func throwDeliveryFailure() throws {
        if let lost = ledger.lostRecordsReport {
            throw KafkaError("Kafka at \(bootstrapServers) lost records of \(topics[lost.topic]) that it had acknowledged: \(lost.description); "
                + "run the same command again to publish what is missing")
        }
        let snapshot = ledger.snapshot
        if let index = snapshot.counts.firstIndex(where: { $0.failed > 0 }) {
            throw KafkaError("\(snapshot.counts[index].failed) events to \(topics[index]) failed at \(bootstrapServers): \(snapshot.firstFailure ?? "unknown error")")
        }
    }

    /// Messages in librdkafka's queues, not yet acknowledged, and its events not yet served (log
    /// lines among them; 0 once shut down). Safe from any thread.
    public var queueDepth: Int { lifecycle.withLock { $0 == .destroyed ? 0 : Int(rd_kafka_outq_len(handle)) } }

    /// Brokers connected, from librdkafka's statistics (`statistics.interval.ms`); nil until they arrive.
    public var brokersUp: Int? { ledger.brokersUp }

    /// Per-topic counts so far.
    package var counts: [(topic: String, produced: Int, acknowledged: Int, failed: Int, bytes: Int)] {
        zip(topics, ledger.snapshot.counts).map { ($0, $1.produced, $1.acknowledged, $1.failed, $1.acknowledgedBytes) }
    }

    /// Flushes for at most `flushTimeout` seconds (nothing after a failed delivery: what is still
    /// queued is dropped), stops the poll thread and destroys the handle.
    /// The first call does it; later and concurrent ones return at once. While it flushes,
    /// `queueDepth` keeps answering.
    public func shutDown(flushTimeout: Double) {
        let first = lifecycle.withLock { state in
            guard state == .open else { return false }
            state = .closing
            return true
        }
        guard first else { return }
        if ledger.hasFailure {
            _ = rd_kafka_purge(handle, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
        } else {
            flush(timeout: flushTimeout)
        }
        poller.stop()
        // The poll thread has handed the handle over: what it had not served yet (the last log
        // lines among them) is served here, once, and what is still in flight is said.
        rd_kafka_poll(handle, 0)
        let unsent = rd_kafka_outq_len(handle)
        if unsent > 0 && !ledger.hasFailure {
            logger?.warning("closing the Kafka producer with \(unsent) messages not acknowledged by \(bootstrapServers): running the same command again publishes whatever the topics lack")
        }
        // A reader that saw the handle alive has finished its call when this lock is taken.
        lifecycle.withLock { $0 = .destroyed }
        for topic in topicHandles { rd_kafka_topic_destroy(topic) }
        rd_kafka_destroy(handle)
    }

    deinit { shutDown(flushTimeout: 0) }

    /// Waits until every queued message is acknowledged or failed, or `timeout` seconds, while the
    /// poll thread serves the reports (`rd_kafka_flush` would serve them on this thread). Messages
    /// lingering in a batch go out when their `linger.ms` ends.
    private func flush(timeout: Double) {
        let deadline = Date().addingTimeInterval(timeout)
        while rd_kafka_outq_len(handle) > 0 && Date() < deadline {
            poller.waitForCallbacks(timeout: min(0.05, max(0, deadline.timeIntervalSinceNow)))
        }
    }

    private func checkReachable(timeout: Double, interruption: Interruption) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var code = RD_KAFKA_RESP_ERR__TIMED_OUT
        // In short waits, so that a stop request is seen; a cluster that refuses is asked again until the deadline.
        repeat {
            try interruption.check()
            var metadata: UnsafePointer<rd_kafka_metadata>?
            code = rd_kafka_metadata(handle, 0, nil, &metadata, max(1, interruption.nextWait(until: deadline)))
            if let metadata { rd_kafka_metadata_destroy(metadata) }
            if code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR__TIMED_OUT { Thread.sleep(forTimeInterval: 0.1) }
        } while code != RD_KAFKA_RESP_ERR_NO_ERROR && Date() < deadline
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let last = ledger.snapshot.lastError.map { " (\($0))" } ?? ""
            throw KafkaError("cannot reach Kafka at \(bootstrapServers) within \(Int(timeout)) s: \(String(cString: rd_kafka_err2str(code)))\(last)")
        }
    }

    private func stalledError() throws -> Never {
        let last = ledger.snapshot.lastError.map { ": \($0)" } ?? ""
        throw KafkaError("no acknowledgement from Kafka at \(bootstrapServers) for \(Int(stallTimeout)) s\(last)")
    }
}

/// A producer handle's life: in use, being flushed and stopped by `shutDown`, then gone.
private enum Lifecycle {
    case open, closing, destroyed
}

/// Fails when a progress counter has not moved for `timeout` seconds.
struct StallWatch {
    let timeout: Double
    private var lastProgress = -1
    private var since = Date()

    init(timeout: Double) { self.timeout = timeout }

    mutating func check(progress: Int, orFail fail: () throws -> Never) throws {
        if progress != lastProgress {
            lastProgress = progress
            since = Date()
        } else if Date().timeIntervalSince(since) > timeout {
            try fail()
        }
    }
}

/// Polls a producer's handle on a thread of its own, from creation until `stop`: until then the only thread
/// that runs its callbacks. From the first failed delivery on it drops every message queued (the
/// producing thread stops queueing then too), so that no later message of a partition lands after
/// the one that failed: the newest record of a partition then tells a re-run exactly what the
/// partition holds. A thread waiting for room in the queue, or for a flush, waits for it to serve
/// callbacks (`waitForCallbacks`).
///
/// The thread holds this object, not the producer: a producer released at any moment (even
/// before the thread first runs) stops it in its `deinit` without the thread ever touching it.
private final class DeliveryPoller: @unchecked Sendable {
    private let handle: OpaquePointer
    private let ledger: DeliveryLedger
    private let stopRequested = Atomic(false)
    private let done = DispatchSemaphore(value: 0)
    /// Set by a waiting thread; the poll thread signals `served` when a poll served something.
    private let waiting = Atomic(false)
    private let served = DispatchSemaphore(value: 0)

    init(handle: OpaquePointer, ledger: DeliveryLedger) {
        self.handle = handle
        self.ledger = ledger
        let thread = Thread { [self] in serve() }
        thread.name = "kafka-poll"
        thread.start()
    }

    /// Returns when the poll thread has served callbacks (delivery reports free room in the queue),
    /// or after `timeout` seconds. May return early once after a signal that came after a timeout.
    func waitForCallbacks(timeout: Double) {
        waiting.store(true, ordering: .releasing)
        _ = served.wait(timeout: .now() + timeout)
    }

    /// Returns once the thread has stopped polling.
    func stop() {
        stopRequested.store(true, ordering: .releasing)
        done.wait()
    }

    private func serve() {
        while !stopRequested.load(ordering: .acquiring) {
            let events = rd_kafka_poll(handle, 100)
            if events > 0, waiting.exchange(false, ordering: .acquiringAndReleasing) { served.signal() }
            if ledger.hasFailure { _ = rd_kafka_purge(handle, RD_KAFKA_PURGE_F_QUEUE) }
        }
        done.signal()
    }
}
