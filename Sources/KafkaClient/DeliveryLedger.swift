import Foundation
import Synchronization

/// Delivery reports, counted per topic, with what each partition's offsets say about the broker.
/// Written by librdkafka's callback on the poll thread and read by the producing thread, so every
/// access takes the lock.
///
/// Offsets tell two things a count cannot. The broker hands each record of a partition the next
/// offset, so an offset acknowledged twice, or one below what a check already settled, means the
/// partition lost records (a broker that came back empty, a truncated log): that fails the producer
/// at once, like a failed delivery. And offsets that none of this run's records got, between the
/// topic's end when it was read back and the run's newest record (`takeForeignRanges`), mean another
/// producer appended there; the run looks there for another process publishing the same simulation.
/// Reports of one partition can come out of offset order (librdkafka reports batch by batch), so
/// the offsets acknowledged since the last check are kept as ranges.
package final class DeliveryLedger: @unchecked Sendable {
    struct TopicCounts {
        var produced = 0
        var acknowledged = 0
        var failed = 0
        var acknowledgedBytes = 0
    }

    /// What this run's acknowledgements in one partition say.
    struct PartitionLog {
        /// The first and last offsets acknowledged in this run.
        var acknowledged: ClosedRange<Int64>?
        /// Offsets below this one are settled: the topic's end when it was read back, then the
        /// offset after the newest one the last check covered. No record of this run can get one.
        var settledBelow: Int64?
        /// Offsets acknowledged since the last check, as sorted ranges that do not touch.
        var recent: [ClosedRange<Int64>] = []
        /// More ranges than `rangeLimit` came since the last check: until the next, offsets are not followed.
        var untracked = false
    }

    /// At most this many separate ranges are kept per partition between two checks (others append
    /// among this run's records that often only on a busy shared topic); beyond, the partition is
    /// not followed until the next check (`takeForeignRanges` says so).
    static let rangeLimit = 10_000

    private let lock = NSLock()
    private var counts: [TopicCounts]
    private var partitions: [[PartitionLog]]
    private var firstFailure: String?
    private var lastClientError: String?
    private var fatalError: String?
    private var lostRecords: String?
    private var lostTopic = 0

    init(topicCount: Int) {
        counts = Array(repeating: TopicCounts(), count: topicCount)
        partitions = Array(repeating: [], count: topicCount)
    }

    /// Set at the first failed delivery or lost record; read without the lock before every message is queued.
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

    /// True once a delivery failed or the broker lost records.
    var hasFailure: Bool { failed.load(ordering: .acquiring) }

    /// Before producing: `endOffsets[topic][partition]` is where each partition ended when read back (nil: unknown).
    package func expect(endOffsets: [[Int64?]]) {
        lock.withLock {
            for (topic, ends) in endOffsets.enumerated() {
                for (partition, end) in ends.enumerated() {
                    makeRoom(topic, partition)
                    partitions[topic][partition].settledBelow = end
                }
            }
        }
    }

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
            note(offset: offset, topic: topic, partition: partition)
        }
    }

    /// Follows one partition's offsets (under the lock).
    private func note(offset: Int64, topic: Int, partition: Int) {
        makeRoom(topic, partition)
        var entry = partitions[topic][partition]
        defer { partitions[topic][partition] = entry }
        defer { entry.acknowledged = min(entry.acknowledged?.lowerBound ?? offset, offset)...max(entry.acknowledged?.upperBound ?? offset, offset) }
        guard !entry.untracked else { return }
        let insertion = entry.recent.partitioningIndex { $0.upperBound >= offset }
        if offset < (entry.settledBelow ?? .min) || (insertion < entry.recent.count && entry.recent[insertion].contains(offset)) {
            if lostRecords == nil {
                let settled = entry.settledBelow.map { " (offsets below \($0) were settled)" } ?? ""
                lostRecords = "partition \(partition) acknowledged offset \(offset) a second time\(settled): the broker lost the records this run "
                    + "had published there (it came back empty, or its log was cut)"
                lostTopic = topic
            }
            failed.store(true, ordering: .releasing)
            return
        }
        entry.recent.insertJoining(offset, at: insertion)
        if entry.recent.count > Self.rangeLimit {
            entry.recent.removeAll()
            entry.untracked = true
        }
    }

    /// Creates the logs of `topic` up to `partition` (under the lock).
    private func makeRoom(_ topic: Int, _ partition: Int) {
        if partition >= partitions[topic].count {
            partitions[topic] += Array(repeating: PartitionLog(), count: partition + 1 - partitions[topic].count)
        }
    }

    /// Per partition of `topic`: the first and last offsets acknowledged in this run (nil where none).
    package func acknowledgedOffsets(ofTopic topic: Int) -> [ClosedRange<Int64>?] {
        lock.withLock { partitions[topic].map(\.acknowledged) }
    }

    /// Per topic, per partition: the offsets no record of this run got between the settled ones and
    /// the newest acknowledged, which others appended; and the topics of partitions that were not
    /// followed (`rangeLimit`). Call only when every record produced is acknowledged: it settles
    /// everything up to the newest.
    package func takeForeignRanges() -> (ranges: [[(partition: Int, offsets: Range<Int64>)]], unfollowed: Set<Int>) {
        lock.withLock {
            var ranges: [[(partition: Int, offsets: Range<Int64>)]] = Array(repeating: [], count: partitions.count)
            var unfollowed = Set<Int>()
            for topic in partitions.indices {
                for partition in partitions[topic].indices {
                    let entry = partitions[topic][partition]
                    if entry.untracked, let newest = entry.acknowledged?.upperBound {
                        unfollowed.insert(topic)
                        partitions[topic][partition].settledBelow = newest + 1
                        partitions[topic][partition].untracked = false
                        continue
                    }
                    guard let newest = entry.recent.last?.upperBound else { continue }
                    var from = entry.settledBelow ?? entry.recent[0].lowerBound
                    for range in entry.recent {
                        if range.lowerBound > from { ranges[topic].append((partition, from..<range.lowerBound)) }
                        from = range.upperBound + 1
                    }
                    partitions[topic][partition].settledBelow = newest + 1
                    partitions[topic][partition].recent.removeAll()
                }
            }
            return (ranges, unfollowed)
        }
    }

    /// The topic and description of the first partition whose offsets went back; nil while none did.
    var lostRecordsReport: (topic: Int, description: String)? {
        lock.withLock { lostRecords.map { (lostTopic, $0) } }
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

extension Array where Element == ClosedRange<Int64> {
    /// The index of the first element for which `belongs` holds, in an array where it holds for a suffix.
    func partitioningIndex(where belongs: (ClosedRange<Int64>) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// Inserts `offset` (in no range) at `index` (the first range that ends at or after it),
    /// joining it to the ranges it touches.
    mutating func insertJoining(_ offset: Int64, at index: Int) {
        let joinsBefore = index > 0 && self[index - 1].upperBound == offset - 1
        let joinsAfter = index < count && self[index].lowerBound == offset + 1
        switch (joinsBefore, joinsAfter) {
        case (true, true):
            self[index - 1] = self[index - 1].lowerBound...self[index].upperBound
            remove(at: index)
        case (true, false): self[index - 1] = self[index - 1].lowerBound...offset
        case (false, true): self[index] = offset...self[index].upperBound
        case (false, false): insert(offset...offset, at: index)
        }
    }
}
