/// One of `count` processes that share a replay (`--shard index/count`). Every shard simulates
/// everything; it publishes and writes only the events it owns, so the shards together publish and
/// write each event exactly once, as one unsharded run would.
public struct Shard: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// 0 ≤ index < count.
    public let index: Int
    public let count: Int

    /// The whole run: one process owns everything.
    public static let whole = Shard(validIndex: 0, count: 1)

    /// Nil unless 0 ≤ index < count and count ≤ `maximumCount`.
    public init?(index: Int, count: Int) {
        guard (1...Self.maximumCount).contains(count), (0..<count).contains(index) else { return nil }
        self.init(validIndex: index, count: count)
    }

    /// `I/N` as written on a command line (`0/4`); nil when it is not one.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else { return nil }
        self.init(index: index, count: count)
    }

    private init(validIndex: Int, count: Int) {
        index = validIndex
        self.count = count
    }

    /// More shards than partitions of a real topic (at most a few thousand) could own nothing.
    public static let maximumCount = 1_024

    public var isWhole: Bool { count == 1 }

    /// True when the shard owns the records of `partition` (`partition mod count == index`).
    @inlinable @inline(__always)
    public func owns(partition: Int32) -> Bool { Int(partition) % count == index }

    /// `index/count`, as `--shard` takes it.
    public var description: String { "\(index)/\(count)" }
}

/// Which merchants' events a shard owns in each stream, decided by the merchant's key as the
/// producer places it: the shard owns a key when the key's partition (`KeyPartitioner`, on a topic
/// of that stream's partition count) mod the shard count is its index. A files-only run has no
/// topics and takes murmur2 of the key mod the shard count, which is the same rule whenever the
/// partition count is a multiple of the shard count (64 partitions and 2, 4 or 8 shards).
///
/// Answers by merchant number are cached: the file sink asks once per row.
public final class ShardOwnership {
    public let shard: Shard
    /// Per stream of the run (the first ones of `EventStreams.all`), the topic's partition count; nil for a files-only run.
    private let partitionCounts: [Int]?
    /// Per stream, by merchant number: 0 not yet known, 1 owned, 2 not owned.
    private var known: [[UInt8]]
    private let key = EncodingBuffer(capacity: 32)

    public init(shard: Shard, partitionCounts: [Int]?) {
        precondition(partitionCounts.map { $0.count <= EventStreams.all.count && $0.allSatisfy { $0 > 0 } } ?? true)
        self.shard = shard
        self.partitionCounts = partitionCounts
        known = Array(repeating: [], count: EventStreams.all.count)
    }

    /// True when the shard owns the events of stream `stream` (its place in `EventStreams.all`) keyed by `key` (a merchant id).
    public func owns(_ stream: Int, key: UnsafeRawBufferPointer) -> Bool {
        if shard.isWhole { return true }
        guard let partitionCounts else {
            let positive = UInt32(bitPattern: KeyPartitioner.murmur2(key)) & 0x7fff_ffff
            return Int(positive) % shard.count == shard.index
        }
        return shard.owns(partition: KeyPartitioner.partition(ofKey: key, partitionCount: partitionCounts[stream]))
    }

    /// True when the shard owns the events of stream `stream` of merchant `number` (key `M000042`).
    public func owns(_ stream: Int, merchantNumber number: Int) -> Bool {
        if shard.isWhole { return true }
        if number < known[stream].count, known[stream][number] != 0 {
            return known[stream][number] == 1
        }
        key.removeAll()
        key.write(reserving: 24) { $0.put(merchantId: number) }
        let owned = owns(stream, key: key.bytes)
        if number >= known[stream].count {
            known[stream].append(contentsOf: repeatElement(0, count: max(number + 1, 2 * known[stream].count) - known[stream].count))
        }
        known[stream][number] = owned ? 1 : 2
        return owned
    }
}
