import CRdKafka
import Foundation

/// Reads back, with a librdkafka consumer, what one run already published to a topic, so that a
/// re-run can skip it.
///
/// Records of a run carry a run header (the run's id) and a mark header (an opaque note of how far
/// the run had got). The newest record of a partition is usually the run's own, so each partition
/// is read backwards from its end in widening windows (the last record, then the 15 before it, then
/// the 240 before those, …) until a record of the run turns up or the partition's start is reached.
public enum TopicReadBack {
    /// The newest record of a run in a partition: its mark header's value, its detail header's
    /// value (when asked for and present) and its key.
    public struct Newest: Sendable, Equatable {
        public let mark: String
        public let detail: String?
        public let key: [UInt8]
        /// Its offset in its partition.
        public let offset: Int64

        public init(mark: String, detail: String? = nil, key: [UInt8], offset: Int64 = -1) {
            self.mark = mark
            self.detail = detail
            self.key = key
            self.offset = offset
        }
    }

    /// What a topic held of a run when read back.
    public struct Holdings: Sendable {
        /// Per partition, the newest record of the run; nil where there is none.
        public let newest: [Newest?]
        /// Per partition, the offset the next record will get (the high watermark); nil where the partition does not exist.
        public let endOffsets: [Int64?]
        /// Per partition, the oldest offset the broker still holds (the low watermark); nil where the partition does not exist.
        public let startOffsets: [Int64?]
    }

    /// For each partition 0..<partitionCount of `topic`, the newest record (highest offset) whose
    /// run header equals `run`; nil where the partition holds no record of that run with a mark,
    /// is empty, or does not exist. With `detailHeader`, its value is read too. Also each
    /// partition's end offset at that moment.
    ///
    /// The consumer takes the producer's `configuration` (its brokers and properties): security
    /// settings reach it, producer-only ones are ignored by librdkafka, and secret values are hidden
    /// in every message. No wait for the cluster lasts longer than `timeout` seconds.
    public static func newestMarks(configuration: ProducerConfiguration, topic: String, partitionCount: Int,
                                   runHeader: String, run: String, markHeader: String, detailHeader: String? = nil,
                                   timeout: Double = 10, interruption: Interruption = .never) throws -> Holdings {
        let consumer = try ReadBackConsumer(configuration: configuration, topic: topic, timeout: timeout, interruption: interruption)
        defer { consumer.close() }
        let deadline = Date().addingTimeInterval(timeout)
        let watermarks = try (0..<Int32(partitionCount)).map { try consumer.watermarks(of: $0, deadline: deadline) }
        var searches = watermarks.enumerated().compactMap { partition, offsets in
            offsets.flatMap { BackwardSearch(partition: Int32(partition), low: $0.low, high: $0.high) }
        }
        let matcher = RunMatcher(runHeader: runHeader, run: run, markHeader: markHeader, detailHeader: detailHeader)
        var marks = [Newest?](repeating: nil, count: partitionCount)
        while !searches.isEmpty {
            let found = try consumer.newestMarks(in: searches.map { ($0.partition, $0.window) }, matcher: matcher)
            for (partition, mark) in found { marks[Int(partition)] = mark }
            searches = searches.compactMap { found[$0.partition] == nil ? $0.widened() : nil }
        }
        return Holdings(newest: marks, endOffsets: watermarks.map { $0?.high }, startOffsets: watermarks.map { $0?.low })
    }

    /// Hands every record of run `run` in the given partitions of `topic`, oldest first in each
    /// partition (read from each partition's oldest record to its end), to `body`.
    public static func forEachRecord(configuration: ProducerConfiguration, topic: String, partitions: [Int], runHeader: String, run: String,
                                     markHeader: String, detailHeader: String? = nil, timeout: Double = 10, interruption: Interruption = .never,
                                     _ body: (Int, Newest) throws -> Void) throws {
        let consumer = try ReadBackConsumer(configuration: configuration, topic: topic, timeout: timeout, interruption: interruption)
        defer { consumer.close() }
        let deadline = Date().addingTimeInterval(timeout)
        let windows = try partitions.compactMap { partition in
            try consumer.watermarks(of: Int32(partition), deadline: deadline).flatMap { $0.low < $0.high ? (Int32(partition), $0.low..<$0.high) : nil }
        }
        let matcher = RunMatcher(runHeader: runHeader, run: run, markHeader: markHeader, detailHeader: detailHeader)
        var failure: Error?
        try consumer.read(windows, matcher: matcher) { partition, record in
            guard failure == nil else { return }
            do { try body(Int(partition), record) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// The record of run `run` at each given offset of `topic`'s partitions, where there is one.
    public static func records(configuration: ProducerConfiguration, topic: String, at offsets: [(partition: Int, offset: Int64)],
                               runHeader: String, run: String, markHeader: String, detailHeader: String? = nil, timeout: Double = 10,
                               interruption: Interruption = .never) throws -> [Int: Newest] {
        guard !offsets.isEmpty else { return [:] }
        let consumer = try ReadBackConsumer(configuration: configuration, topic: topic, timeout: timeout, interruption: interruption)
        defer { consumer.close() }
        let matcher = RunMatcher(runHeader: runHeader, run: run, markHeader: markHeader, detailHeader: detailHeader)
        let found = try consumer.newestMarks(in: offsets.map { (Int32($0.partition), $0.offset..<($0.offset + 1)) }, matcher: matcher)
        return Dictionary(uniqueKeysWithValues: found.map { (Int($0.key), $0.value) })
    }

    /// A record of run `run` within the given ranges of offsets of `topic`'s partitions, if there
    /// is one: its partition and mark (the newest such record of the first partition that has one).
    public static func runRecord(configuration: ProducerConfiguration, topic: String, in ranges: [(partition: Int, offsets: Range<Int64>)],
                                 runHeader: String, run: String, markHeader: String, timeout: Double = 10) throws -> (partition: Int, mark: String)? {
        guard !ranges.isEmpty else { return nil }
        let consumer = try ReadBackConsumer(configuration: configuration, topic: topic, timeout: timeout)
        defer { consumer.close() }
        let matcher = RunMatcher(runHeader: runHeader, run: run, markHeader: markHeader, detailHeader: nil)
        // One window per partition at a time: a partition's ranges are read in turn.
        var byPartition = Dictionary(grouping: ranges, by: \.partition).mapValues { $0.map(\.offsets) }
        while !byPartition.isEmpty {
            let windows = byPartition.map { (Int32($0.key), $0.value[0]) }
            let found = try consumer.newestMarks(in: windows, matcher: matcher)
            if let (partition, newest) = found.min(by: { $0.key < $1.key }) { return (Int(partition), newest.mark) }
            byPartition = byPartition.compactMapValues { $0.count > 1 ? Array($0.dropFirst()) : nil }
        }
        return nil
    }
}

/// One partition's search backwards from its end: the window of offsets to read next.
private struct BackwardSearch {
    let partition: Int32
    let offsets: (low: Int64, high: Int64)
    private(set) var window: Range<Int64>
    private var width: Int64 = 1

    /// A search from the partition's newest record; nil for an empty partition.
    init?(partition: Int32, low: Int64, high: Int64) {
        guard low < high else { return nil }
        self.partition = partition
        offsets = (low, high)
        window = high - 1..<high
    }

    /// The search with the older records `width` × 16 back from the end as its window; nil once the
    /// partition's start has been read.
    func widened() -> BackwardSearch? {
        guard window.lowerBound > offsets.low else { return nil }
        var next = self
        next.width = min(width * 16, offsets.high - offsets.low)
        next.window = offsets.high - next.width..<window.lowerBound
        return next
    }
}

/// Tells a run's records by their run header and reads their mark header.
private struct RunMatcher {
    let runHeader: [CChar]
    let run: [UInt8]
    let markHeader: [CChar]
    let detailHeader: [CChar]?

    init(runHeader: String, run: String, markHeader: String, detailHeader: String?) {
        self.runHeader = Array(runHeader.utf8CString)
        self.run = Array(run.utf8)
        self.markHeader = Array(markHeader.utf8CString)
        self.detailHeader = detailHeader.map { Array($0.utf8CString) }
    }

    /// The mark and key of `message` if the run header says it is the run's; nil otherwise.
    func mark(of message: UnsafeMutablePointer<rd_kafka_message_t>) -> TopicReadBack.Newest? {
        var headers: OpaquePointer?
        guard rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR, let headers,
              let runValue = Self.value(of: runHeader, in: headers), runValue.elementsEqual(run),
              let mark = Self.value(of: markHeader, in: headers) else { return nil }
        let key = message.pointee.key.map { Array(UnsafeRawBufferPointer(start: $0, count: message.pointee.key_len)) } ?? []
        let detail = detailHeader.flatMap { Self.value(of: $0, in: headers) }.map { String(decoding: $0, as: UTF8.self) }
        return TopicReadBack.Newest(mark: String(decoding: mark, as: UTF8.self), detail: detail, key: key, offset: message.pointee.offset)
    }

    private static func value(of name: [CChar], in headers: OpaquePointer) -> UnsafeRawBufferPointer? {
        var value: UnsafeRawPointer?
        var size = 0
        guard rd_kafka_header_get_last(headers, name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return UnsafeRawBufferPointer(start: value, count: size)
    }
}

/// A librdkafka consumer outside any consumer group: partitions are assigned explicitly at chosen
/// offsets, nothing is committed, and every record any consumer can see is read.
private final class ReadBackConsumer {
    private let handle: OpaquePointer
    private let topic: String
    private let bootstrapServers: String
    private let timeout: Double
    private let lastError = LastClientError()
    /// Hides secret values in every message.
    private let configuration: ProducerConfiguration
    private let interruption: Interruption

    init(configuration: ProducerConfiguration, topic: String, timeout: Double, interruption: Interruption = .never) throws {
        self.topic = topic
        self.interruption = interruption
        bootstrapServers = configuration.bootstrapServers
        self.timeout = timeout
        self.configuration = configuration
        // rd_kafka_assign needs a group.id (2.0.2 answers "Unknown group" without one) though no group
        // is joined; the user's own may follow. The settings after the user's are what reading back needs;
        // a short fetch.wait.max.ms because each window waits for the fetch before it, which the broker
        // holds that long when a partition has nothing newer.
        let settings = [("group.id", "replay-read-back")] + configuration.properties
            + [("enable.auto.commit", "false"), ("enable.partition.eof", "true"), ("auto.offset.reset", "earliest"),
               ("isolation.level", "read_uncommitted"), ("fetch.wait.max.ms", "10")]
        let conf = rd_kafka_conf_new()!
        var message = [CChar](repeating: 0, count: 512)
        for (name, value) in settings {
            guard rd_kafka_conf_set(conf, name, value, &message, message.count) == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                throw KafkaError("-X \(name): \(configuration.hidingSecrets(in: String(cBuffer: message)))")
            }
        }
        // Producer-only properties make librdkafka log a warning and are otherwise ignored.
        rd_kafka_conf_set_log_cb(conf) { _, _, _, _ in }
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(lastError).toOpaque())
        rd_kafka_conf_set_error_cb(conf) { _, code, reason, opaque in
            guard let opaque else { return }
            let text = reason.map { String(cString: $0) } ?? String(cString: rd_kafka_err2str(rd_kafka_resp_err_t(code)))
            Unmanaged<LastClientError>.fromOpaque(opaque).takeUnretainedValue().text = text
        }
        guard let handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf, &message, message.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError("cannot create a Kafka consumer to read back \(topic): \(configuration.hidingSecrets(in: String(cBuffer: message)))")
        }
        self.handle = handle
    }

    /// The partition's low and high watermarks; nil if the topic or partition does not exist.
    func watermarks(of partition: Int32, deadline: Date) throws -> (low: Int64, high: Int64)? {
        var low: Int64 = 0
        var high: Int64 = 0
        var code = RD_KAFKA_RESP_ERR__TIMED_OUT
        // In short waits, so that a stop request is seen.
        repeat {
            try interruption.check()
            code = rd_kafka_query_watermark_offsets(handle, topic, partition, &low, &high, max(1, interruption.nextWait(until: deadline)))
        } while code == RD_KAFKA_RESP_ERR__TIMED_OUT && Date() < deadline
        switch code {
        case RD_KAFKA_RESP_ERR_NO_ERROR: return (low, high)
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION: return nil
        default: throw failure(String(cString: rd_kafka_err2str(code)))
        }
    }

    /// Reads each partition's window of offsets and returns, per partition, the mark of the window's
    /// newest record of the run (absent where the window holds none). Fails when no record arrives
    /// for `timeout` seconds.
    func newestMarks(in windows: [(partition: Int32, offsets: Range<Int64>)], matcher: RunMatcher) throws -> [Int32: TopicReadBack.Newest] {
        var marks: [Int32: TopicReadBack.Newest] = [:]
        try read(windows, matcher: matcher) { marks[$0] = $1 }
        return marks
    }

    /// Reads each partition's window of offsets and hands every record of the run in it, in offset
    /// order per partition. Fails when no record arrives for `timeout` seconds.
    func read(_ windows: [(partition: Int32, offsets: Range<Int64>)], matcher: RunMatcher,
              _ body: (Int32, TopicReadBack.Newest) -> Void) throws {
        let assignment = rd_kafka_topic_partition_list_new(Int32(windows.count))!
        defer { rd_kafka_topic_partition_list_destroy(assignment) }
        for window in windows {
            rd_kafka_topic_partition_list_add(assignment, topic, window.partition).pointee.offset = window.offsets.lowerBound
        }
        let code = rd_kafka_assign(handle, assignment)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw failure(String(cString: rd_kafka_err2str(code))) }
        defer { rd_kafka_assign(handle, nil) }
        var unread = Dictionary(uniqueKeysWithValues: windows.map { ($0.partition, $0.offsets) })
        var deadline = Date().addingTimeInterval(timeout)
        while !unread.isEmpty {
            try interruption.check()
            guard let message = rd_kafka_consumer_poll(handle, interruption.nextWait(until: deadline)) else {
                if Date() < deadline { continue }
                throw failure("no record arrived")
            }
            defer { rd_kafka_message_destroy(message) }
            let partition = message.pointee.partition
            let offset = message.pointee.offset
            switch message.pointee.err {
            case RD_KAFKA_RESP_ERR_NO_ERROR:
                guard let window = unread[partition] else { continue }
                if window.contains(offset), let mark = matcher.mark(of: message) { body(partition, mark) }
                // Offsets can have gaps (compaction, transaction markers): any offset at or past the
                // window's last one ends it.
                if offset >= window.upperBound - 1 { unread[partition] = nil }
                deadline = Date().addingTimeInterval(timeout)
            case RD_KAFKA_RESP_ERR__PARTITION_EOF:
                unread[partition] = nil
                deadline = Date().addingTimeInterval(timeout)
            default:
                lastError.text = String(cString: rd_kafka_message_errstr(message))
            }
        }
    }

    /// Destroys the handle without a consumer close: no group was joined and nothing is committed,
    /// and a close would wait for an unreachable cluster.
    func close() {
        rd_kafka_destroy_flags(handle, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE)
    }

    /// A one-line error naming the topic and cluster, with librdkafka's last error if it reported one.
    private func failure(_ reason: String) -> KafkaError {
        rd_kafka_poll(handle, 0)  // serves the error callback with what is pending
        let last = lastError.text.map { " (\($0))" } ?? ""
        let seconds = String(format: "%g", timeout)
        return KafkaError(configuration.hidingSecrets(in: "cannot read back \(topic) from Kafka at \(bootstrapServers) within \(seconds) s: \(reason)\(last)"))
    }

}

/// librdkafka's last client error; its callback runs on the thread that polls, the reader's own.
private final class LastClientError {
    var text: String?
}
