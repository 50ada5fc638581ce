import Foundation
import Synchronization

/// Delivery reports, counted per topic, with the offsets acknowledged in each partition. Written by
/// librdkafka's callback on the poll thread and read by the producing thread, so every access takes
/// the lock.
final class DeliveryLedger: @unchecked Sendable {
    struct TopicCounts {
        var produced = 0
        var acknowledged = 0
        var failed = 0
        var acknowledgedBytes = 0
    }

    private let lock = NSLock()
    private var counts: [TopicCounts]
    /// Per topic, per partition: the first and last offsets acknowledged in this run.
    private var offsets: [[ClosedRange<Int64>?]]
    private var firstFailure: String?
    private var lastClientError: String?
    private var fatalError: String?

    init(topicCount: Int) {
        counts = Array(repeating: TopicCounts(), count: topicCount)
        offsets = Array(repeating: [], count: topicCount)
    }

    /// Set at the first failed delivery; read without the lock before every message is queued.
    private let failed = Atomic<Bool>(false)

    /// Counts a queued message.
    func produced(topic: Int) {
        lock.withLock { counts[topic].produced += 1 }
    }

    /// Brokers connected at librdkafka's last statistics report; nil before the first.
    var brokersUp: Int? {
        get { lock.withLock { connectedBrokers } }
        set { lock.withLock { connectedBrokers = newValue } }
    }
    private var connectedBrokers: Int?

    /// True once a delivery failed.
    var hasFailure: Bool { failed.load(ordering: .acquiring) }

    /// `offset` is the record's offset in `partition` (negative when the broker does not say).
    func delivered(topic: Int, partition: Int, offset: Int64, bytes: Int, error: String?) {
        lock.withLock {
            if let error {
                counts[topic].failed += 1
                if firstFailure == nil { firstFailure = error }
                failed.store(true, ordering: .releasing)
                return
            }
            counts[topic].acknowledged += 1
            counts[topic].acknowledgedBytes += bytes
            guard offset >= 0, partition >= 0 else { return }
            if partition >= offsets[topic].count {
                offsets[topic] += Array(repeating: nil, count: partition + 1 - offsets[topic].count)
            }
            let range = offsets[topic][partition]
            offsets[topic][partition] = min(range?.lowerBound ?? offset, offset)...max(range?.upperBound ?? offset, offset)
        }
    }

    /// Per partition of `topic`: the first and last offsets acknowledged in this run (nil where none).
    func acknowledgedOffsets(ofTopic topic: Int) -> [ClosedRange<Int64>?] {
        lock.withLock { offsets[topic] }
    }

    func clientError(_ message: String, fatal: Bool) {
        lock.withLock {
            lastClientError = message
            if fatal && fatalError == nil { fatalError = message }
        }
    }

    var snapshot: (counts: [TopicCounts], firstFailure: String?, lastError: String?, fatal: String?) {
        lock.withLock { (counts, firstFailure, lastClientError, fatalError) }
    }

    /// Reports received so far (acknowledged or failed), a measure of progress.
    var settled: Int {
        lock.withLock { counts.reduce(0) { $0 + $1.acknowledged + $1.failed } }
    }
}
