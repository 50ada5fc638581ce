/// The partition the Java client's default partitioner picks for a keyed record,
/// `toPositive(murmur2(key)) % partitionCount`, which is also what librdkafka's
/// `partitioner=murmur2_random` picks for a non-empty key. Knowing it up front tells a re-run
/// which partition already holds each key's records.
public enum KeyPartitioner {
    /// The partition of a record with `key` on a topic of `partitionCount` partitions.
    @inlinable
    public static func partition(ofKey key: UnsafeRawBufferPointer, partitionCount: Int) -> Int32 {
        let positive = UInt32(bitPattern: murmur2(key)) & 0x7fff_ffff
        return Int32(Int(positive) % partitionCount)
    }

    /// Kafka's `Utils.murmur2`: MurmurHash2 (seed 0x9747b28c) over little-endian 4-byte words,
    /// then the Java code's handling of the last 1–3 bytes.
    @inlinable
    public static func murmur2(_ data: UnsafeRawBufferPointer) -> Int32 {
        let m: UInt32 = 0x5bd1_e995
        var hash = 0x9747_b28c ^ UInt32(truncatingIfNeeded: data.count)
        let tail = data.count & ~3
        var offset = 0
        while offset < tail {
            var word = UInt32(littleEndian: data.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            word &*= m
            word ^= word >> 24
            word &*= m
            hash = (hash &* m) ^ word
            offset += 4
        }
        switch data.count & 3 {
        case 3:
            hash ^= UInt32(data[tail + 2]) << 16
            fallthrough
        case 2:
            hash ^= UInt32(data[tail + 1]) << 8
            fallthrough
        case 1:
            hash ^= UInt32(data[tail])
            hash &*= m
        default:
            break
        }
        hash ^= hash >> 13
        hash &*= m
        hash ^= hash >> 15
        return Int32(bitPattern: hash)
    }
}
