#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Records

/// `merchants.journal`: the checkpoints committed since `merchants.json` was last written whole,
/// each as what changed since the one before (`CheckpointChange`), appended and synced.
///
/// The format, integers little-endian:
/// - a header of 32 bytes: the magic `FF 00 6A 6F 75 72 6E 31` (`journ1`), the byte length and
///   the `ContentHash` of the `merchants.json` the journal applies to, and the hash of those 24 bytes;
/// - entries, each the magic `FF 00 65 6E 74 72 79 31` (`entry1`), the length of its payload, the
///   hash of that length's 8 bytes followed by the payload, then the payload (JSON text).
///
/// An entry is committed once it is whole and its hash matches. A damaged entry that no whole one
/// follows is the tail of an append that a crash cut short: it is not committed, and the next
/// append writes over it. A damaged entry or header that a whole entry follows is corruption. A
/// journal whose header names another `merchants.json` (a crash after a snapshot was replaced and
/// before the old journal was removed) or was cut short before its first entry does not apply.
enum StateJournal {
    static let headerSize = 32
    static let entryHeaderSize = 24
    private static let headerMagic: [UInt8] = [0xFF, 0x00] + Array("journ1".utf8)
    private static let entryMagic: [UInt8] = [0xFF, 0x00] + Array("entry1".utf8)

    /// What a journal file holds for a given `merchants.json`.
    enum Contents {
        /// It applies to another snapshot, or its header was cut short: it holds nothing for this one.
        case foreign
        /// The committed entries' payloads (ranges of the file's bytes), and where the last one ends.
        case entries([Range<Int>], end: Int)
    }

    /// A one-line reason why a journal cannot be read.
    struct Damage: Error {
        let reason: String
    }

    /// Reads `bytes` as a journal of the snapshot `snapshot`.
    static func read(_ bytes: UnsafeRawBufferPointer, of snapshot: SnapshotIdentity) throws(Damage) -> Contents {
        guard bytes.count >= headerSize, matches(headerMagic, in: bytes, at: 0),
              word(bytes, 24) == ContentHash.of(UnsafeRawBufferPointer(rebasing: bytes[0..<24])) else {
            if let offset = nextEntry(in: bytes, from: 0) { throw Damage(reason: "its header is damaged, and an entry follows at byte \(offset)") }
            return .foreign
        }
        guard SnapshotIdentity(length: Int(word(bytes, 8)), hash: word(bytes, 16)) == snapshot else { return .foreign }
        var payloads: [Range<Int>] = []
        var offset = headerSize
        while offset < bytes.count {
            if let payload = entry(in: bytes, at: offset) {
                payloads.append(payload)
                offset = payload.upperBound
            } else if let next = nextEntry(in: bytes, from: offset + 1) {
                throw Damage(reason: "entry \(payloads.count + 1) at byte \(offset) is damaged, and an entry follows at byte \(next)")
            } else {
                break
            }
        }
        return .entries(payloads, end: offset)
    }

    /// The header of a journal of `snapshot`.
    static func header(of snapshot: SnapshotIdentity) -> [UInt8] {
        var bytes = headerMagic
        append(UInt64(snapshot.length), to: &bytes)
        append(snapshot.hash, to: &bytes)
        append(bytes.withUnsafeBytes { ContentHash.of($0) }, to: &bytes)
        return bytes
    }

    /// The bytes in front of an entry with `payload`.
    static func entryHeader(of payload: UnsafeRawBufferPointer) -> [UInt8] {
        var bytes = entryMagic
        append(UInt64(payload.count), to: &bytes)
        var hash = ContentHash()
        bytes[8..<16].withUnsafeBytes { hash.update($0) }
        hash.update(payload)
        append(hash.finalized, to: &bytes)
        return bytes
    }

    /// The snapshot named by the journal at `path`, when it has a whole header; nil otherwise.
    static func snapshotNamed(at path: String) -> SnapshotIdentity? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: headerSize), data.count == headerSize else { return nil }
        return data.withUnsafeBytes { bytes in
            guard matches(headerMagic, in: bytes, at: 0), word(bytes, 24) == ContentHash.of(UnsafeRawBufferPointer(rebasing: bytes[0..<24])) else {
                return nil
            }
            return SnapshotIdentity(length: Int(word(bytes, 8)), hash: word(bytes, 16))
        }
    }

    /// Writes `pieces` at byte `offset` of the journal at `path` and syncs it: with `offset` nil,
    /// the file is created (or emptied) first and its folder synced; otherwise whatever lies past
    /// `offset` (an uncommitted tail) is cut off first. Returns where the written bytes end.
    static func write(_ pieces: [UnsafeRawBufferPointer], to path: String, at offset: Int?) throws -> Int {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (offset == nil ? O_TRUNC : 0), 0o644)
        guard descriptor >= 0 else { throw SinkError("cannot open \(path): \(BufferedFile.lastError())") }
        defer { close(descriptor) }
        var position = offset ?? 0
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size == position || ftruncate(descriptor, off_t(position)) == 0 else {
            throw SinkError("cannot cut \(path) back to its last entry: \(BufferedFile.lastError())")
        }
        for piece in pieces {
            try writeAll(piece, to: descriptor, at: position, path)
            position += piece.count
        }
        guard fdatasync(descriptor) == 0 else { throw SinkError("cannot sync \(path): \(BufferedFile.lastError())") }
        if offset == nil { AtomicFile.syncFolder(of: path) }
        return position
    }

    /// The payload of the whole entry at `offset`; nil when there is none.
    private static func entry(in bytes: UnsafeRawBufferPointer, at offset: Int) -> Range<Int>? {
        guard bytes.count - offset >= entryHeaderSize, matches(entryMagic, in: bytes, at: offset) else { return nil }
        let length = word(bytes, offset + 8)
        let start = offset + entryHeaderSize
        guard length <= UInt64(bytes.count - start) else { return nil }
        var hash = ContentHash()
        hash.update(UnsafeRawBufferPointer(rebasing: bytes[(offset + 8)..<(offset + 16)]))
        let payload = start..<(start + Int(length))
        hash.update(UnsafeRawBufferPointer(rebasing: bytes[payload]))
        return hash.finalized == word(bytes, offset + 16) ? payload : nil
    }

    /// The offset of the first whole entry at or after `offset`; nil when there is none.
    private static func nextEntry(in bytes: UnsafeRawBufferPointer, from offset: Int) -> Int? {
        var candidate = offset
        while candidate + entryHeaderSize <= bytes.count {
            if bytes[candidate] == entryMagic[0], entry(in: bytes, at: candidate) != nil { return candidate }
            candidate += 1
        }
        return nil
    }

    private static func matches(_ magic: [UInt8], in bytes: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        magic.indices.allSatisfy { bytes[offset + $0] == magic[$0] }
    }

    private static func word(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
