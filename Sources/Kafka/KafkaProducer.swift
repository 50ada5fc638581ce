import CRdKafka
import Foundation

/// The one owner of a librdkafka producer handle. Produces with `rd_kafka_produceva` and
/// `RD_KAFKA_MSG_F_COPY` (the topic index is the message opaque), serves delivery reports on a
/// thread of its own, treats a full queue as backpressure, and flushes before destroying.
public final class KafkaProducer: @unchecked Sendable {
    public let topics: [String]
    public let bootstrapServers: String
    /// How long acknowledgements may stall before the run is failed.
    public let stallTimeout: Double

    private let handle: OpaquePointer
    private let topicHandles: [OpaquePointer]
    let ledger: DeliveryLedger
    private var poller: Thread?
    private let pollerDone = DispatchSemaphore(value: 0)
    private let stopping = NSLock()
    private var stopRequested = false
    private var closed = false
    private let arguments = ProduceArguments()

    /// Connects to the cluster and checks within `connectTimeout` seconds that it answers.
    public init(configuration: ProducerConfiguration, topics: [String], connectTimeout: Double = 10, stallTimeout: Double = 30) throws {
        self.topics = topics
        self.stallTimeout = stallTimeout
        bootstrapServers = configuration.bootstrapServers
        ledger = DeliveryLedger(topicCount: topics.count)
        let conf = try configuration.makeNativeConfiguration()
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(ledger).toOpaque())
        rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
            guard let message, let opaque else { return }
            let ledger = Unmanaged<DeliveryLedger>.fromOpaque(opaque).takeUnretainedValue()
            let topic = Int(bitPattern: message.pointee._private) - 1
            let error = message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : String(cString: rd_kafka_err2str(message.pointee.err))
            ledger.delivered(topic: topic, bytes: message.pointee.len + message.pointee.key_len, error: error)
        }
        rd_kafka_conf_set_error_cb(conf) { handle, code, reason, opaque in
            guard let opaque else { return }
            let ledger = Unmanaged<DeliveryLedger>.fromOpaque(opaque).takeUnretainedValue()
            var message = reason.map { String(cString: $0) } ?? String(cString: rd_kafka_err2str(rd_kafka_resp_err_t(code)))
            let fatal = code == RD_KAFKA_RESP_ERR__FATAL.rawValue
            if fatal, let handle {
                var detail = [CChar](repeating: 0, count: 512)
                rd_kafka_fatal_error(handle, &detail, detail.count)
                message = String(cBuffer: detail)
            }
            ledger.clientError(message, fatal: fatal)
        }
        // librdkafka's own log lines would go to stderr unasked; errors reach us through error_cb.
        rd_kafka_conf_set_log_cb(conf) { _, _, _, _ in }
        var error = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &error, error.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError("cannot create a Kafka producer: \(String(cBuffer: error))")
        }
        self.handle = handle
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
        let poller = Thread { [unowned self] in self.pollUntilStopped() }
        poller.name = "kafka-poll"
        poller.start()
        self.poller = poller
        do {
            try checkReachable(timeout: connectTimeout)
        } catch {
            shutDown(flushTimeout: 0)
            throw error
        }
    }

    /// Queues one message; waits (serving delivery reports) while the local queue is full.
    public func produce(topic: Int, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
                        timestampMilliseconds: Int64, eventType: StaticString, schemaVersion: StaticString) throws {
        var stall = StallWatch(timeout: stallTimeout)
        while true {
            arguments.fill(topic: topicHandles[topic], index: topic, key: key, value: value,
                           timestampMilliseconds: timestampMilliseconds, eventType: eventType, schemaVersion: schemaVersion)
            guard let error = rd_kafka_produceva(handle, arguments.pointer, ProduceArguments.count) else {
                ledger.produced(topic: topic)
                return
            }
            let code = rd_kafka_error_code(error)
            let text = String(cString: rd_kafka_error_string(error))
            rd_kafka_error_destroy(error)
            guard code == RD_KAFKA_RESP_ERR__QUEUE_FULL else {
                throw KafkaError("cannot produce to \(topics[topic]) at \(bootstrapServers): \(text)")
            }
            rd_kafka_poll(handle, 10)
            try stall.check(progress: ledger.settled) { try stalledError() }
        }
    }

    /// Returns once every queued message is acknowledged; fails on a delivery failure, a fatal
    /// error, or when no acknowledgement arrives for `stallTimeout` seconds.
    public func awaitAcknowledgements() throws {
        var stall = StallWatch(timeout: stallTimeout)
        while rd_kafka_outq_len(handle) > 0 {
            _ = rd_kafka_flush(handle, 200)
            if let fatal = ledger.snapshot.fatal { throw KafkaError("Kafka producer failed at \(bootstrapServers): \(fatal)") }
            try stall.check(progress: ledger.settled) { try stalledError() }
        }
        let snapshot = ledger.snapshot
        if let index = snapshot.counts.firstIndex(where: { $0.failed > 0 }) {
            throw KafkaError("\(snapshot.counts[index].failed) events to \(topics[index]) failed at \(bootstrapServers): \(snapshot.firstFailure ?? "unknown error")")
        }
    }

    /// Per-topic counts so far.
    public var counts: [(topic: String, produced: Int, acknowledged: Int, failed: Int, bytes: Int)] {
        zip(topics, ledger.snapshot.counts).map { ($0, $1.produced, $1.acknowledged, $1.failed, $1.acknowledgedBytes) }
    }

    /// Flushes for at most `flushTimeout` seconds, stops the poll thread and destroys the handle.
    public func shutDown(flushTimeout: Double) {
        guard !closed else { return }
        closed = true
        _ = rd_kafka_flush(handle, Int32(flushTimeout * 1000))
        stopping.withLock { stopRequested = true }
        pollerDone.wait()
        for topic in topicHandles { rd_kafka_topic_destroy(topic) }
        rd_kafka_destroy(handle)
    }

    deinit { shutDown(flushTimeout: 0) }

    private func pollUntilStopped() {
        while !stopping.withLock({ stopRequested }) { rd_kafka_poll(handle, 100) }
        pollerDone.signal()
    }

    private func checkReachable(timeout: Double) throws {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let code = rd_kafka_metadata(handle, 0, nil, &metadata, Int32(timeout * 1000))
        if let metadata { rd_kafka_metadata_destroy(metadata) }
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
