import CRdKafka
import Foundation

/// The one owner of a librdkafka producer handle. Produces with `rd_kafka_produceva` and
/// `RD_KAFKA_MSG_F_COPY` to the partition the caller chose (the topic index is the message
/// opaque), serves delivery reports on a thread of its own, treats a full queue as backpressure,
/// stops at the first failed delivery, and flushes before destroying.
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

    /// Queues one message for `partition`; waits (serving delivery reports) while the local queue
    /// is full. Fails as soon as any earlier message failed: nothing is produced after a gap.
    public func produce(topic: Int, partition: Int32, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
                        timestampMilliseconds: Int64, headers: RecordHeaders) throws {
        var stall = StallWatch(timeout: stallTimeout)
        while true {
            arguments.fill(topic: topicHandles[topic], index: topic, partition: partition, key: key, value: value,
                           timestampMilliseconds: timestampMilliseconds, headers: headers)
            guard let error = rd_kafka_produceva(handle, arguments.pointer, ProduceArguments.count) else {
                if ledger.produced(topic: topic) { try throwDeliveryFailure() }
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

    /// The partition count of `topics[topic]`, from the cluster's metadata (which creates the
    /// topic where the cluster creates topics on first use); waits up to `timeout` seconds for it.
    public func partitionCount(ofTopic topic: Int, timeout: Double = 10) throws -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        var problem = "no metadata"
        while true {
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let code = rd_kafka_metadata(handle, 0, topicHandles[topic], &metadata, 2_000)
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

    /// Returns once every queued message is acknowledged; fails on a delivery failure, a fatal
    /// error, or when no acknowledgement arrives for `stallTimeout` seconds.
    public func awaitAcknowledgements() throws {
        var stall = StallWatch(timeout: stallTimeout)
        while rd_kafka_outq_len(handle) > 0 {
            _ = rd_kafka_flush(handle, 200)
            if let fatal = ledger.snapshot.fatal { throw KafkaError("Kafka producer failed at \(bootstrapServers): \(fatal)") }
            try stall.check(progress: ledger.settled) { try stalledError() }
        }
        try throwDeliveryFailure()
    }

    /// Throws when any delivery failed.
    private func throwDeliveryFailure() throws {
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

    /// Serves delivery reports. After the first failed delivery it drops every message still
    /// queued, so that no later message of a partition lands after the one that failed: the
    /// newest record of a partition then tells a re-run exactly what the partition holds.
    private func pollUntilStopped() {
        var purged = false
        while !stopping.withLock({ stopRequested }) {
            rd_kafka_poll(handle, 100)
            if !purged && ledger.hasFailure {
                purged = true
                _ = rd_kafka_purge(handle, RD_KAFKA_PURGE_F_QUEUE)
            }
        }
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
