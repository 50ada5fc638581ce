/// A 64-bit hash of bytes fed in pieces of any size: it ties `merchants.journal` to the
/// `merchants.json` it was written against, and checks each journal entry.
///
/// Eight bytes at a time, each step a bijection of the running value (xor, multiply by an odd
/// constant, xorshift), so that bytes that differ in one word always give another hash; murmur3's
/// finalizer mixes in the length at the end. Not cryptographic: it guards against torn writes and
/// damage, not against someone forging a file.
struct ContentHash {
    private var value: UInt64 = 0x243F_6A88_85A3_08D3
    /// Bytes not yet in a whole word, little-endian, and how many there are.
    private var pending: UInt64 = 0
    private var pendingCount = 0
    private var length: UInt64 = 0

    /// The hash of `bytes` alone.
    static func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash = ContentHash()
        hash.update(bytes)
        return hash.finalized
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var offset = 0
        while pendingCount > 0 && offset < bytes.count {
            take(byte: bytes[offset])
            offset += 1
        }
        while offset + 8 <= bytes.count {
            mix(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset += 8
        }
        while offset < bytes.count {
            take(byte: bytes[offset])
            offset += 1
        }
    }

    /// The hash of everything fed so far.
    var finalized: UInt64 {
        var copy = self
        if copy.pendingCount > 0 { copy.mix(copy.pending) }
        var result = copy.value ^ copy.length
        result ^= result >> 33
        result &*= 0xFF51_AFD7_ED55_8CCD
        result ^= result >> 33
        result &*= 0xC4CE_B9FE_1A85_EC53
        result ^= result >> 33
        return result
    }

    private mutating func take(byte: UInt8) {
        pending |= UInt64(byte) << (8 * UInt64(pendingCount))
        pendingCount += 1
        if pendingCount == 8 {
            mix(pending)
            pending = 0
            pendingCount = 0
        }
    }

    private mutating func mix(_ word: UInt64) {
        value = (value ^ word) &* 0x9E37_79B9_7F4A_7C15
        value ^= value >> 29
    }
}

/// What identifies a `merchants.json`: its byte length and the `ContentHash` of its bytes.
struct SnapshotIdentity: Equatable {
    var length: Int
    var hash: UInt64
}
