import Foundation

/// Delivery reports, counted per topic. Written by librdkafka's callback on the poll thread and
/// read by the producing thread, so every access takes the lock.
final class DeliveryLedger: @unchecked Sendable {
    struct TopicCounts {
        var produced = 0
        var acknowledged = 0
        var failed = 0
        var acknowledgedBytes = 0
    }

    private let lock = NSLock()
    private var counts: [TopicCounts]
    private var firstFailure: String?
    private var lastClientError: String?
    private var fatalError: String?

    init(topicCount: Int) {
        counts = Array(repeating: TopicCounts(), count: topicCount)
    }

    /// Counts a queued message; true when some delivery has already failed.
    func produced(topic: Int) -> Bool {
        lock.withLock {
            counts[topic].produced += 1
            return firstFailure != nil
        }
    }

    /// True once a delivery failed.
    var hasFailure: Bool { lock.withLock { firstFailure != nil } }

    func delivered(topic: Int, bytes: Int, error: String?) {
        lock.withLock {
            if let error {
                counts[topic].failed += 1
                if firstFailure == nil { firstFailure = error }
            } else {
                counts[topic].acknowledged += 1
                counts[topic].acknowledgedBytes += bytes
            }
        }
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
