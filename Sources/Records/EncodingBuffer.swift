import Simulation

/// A growable byte buffer written through a raw pointer.
///
/// Hand-written for the hot path: formatting every transaction row through `[UInt8]` appends
/// spent most of its time in uniqueness and capacity checks and `repeatElement` copies (callgrind,
/// see the Performance article in Sources/Engine/Engine.docc); here a row reserves its room once and then writes through
/// a `ByteCursor` with no checks.
public final class EncodingBuffer {
    // Unchecked exclusivity: every row and every JSON key touches these, and the dynamic checks of a
    // class's stored properties took about a sixth of the writing thread at --scale 1000 (perf); a
    // buffer belongs to one thread and no access to them overlaps another.
    @exclusivity(unchecked) @usableFromInline var storage: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) @usableFromInline var capacity: Int
    @exclusivity(unchecked) @usableFromInline var used = 0

    /// Bytes written.
    @inlinable
    public var count: Int { used }

    public init(capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 64)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    /// The bytes written, valid until the next change, and only while this buffer is alive: Swift
    /// may release a buffer right after its last use, so hand the buffer itself to code that reads
    /// the bytes later (e.g. `append(contentsOf:)`).
    @inlinable
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage, count: used) }

    public func removeAll() { used = 0 }

    /// Drops everything after the first `count` bytes.
    @inlinable
    public func removeAll(keepingFirst count: Int) {
        precondition(count <= used)
        used = count
    }

    /// Makes room for `extra` more bytes; call before a run of unchecked writes.
    @inlinable @inline(__always)
    public func reserve(_ extra: Int) {
        if used &+ extra > capacity { grow(to: used &+ extra) }
    }

    @usableFromInline
    func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newStorage = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newStorage.update(from: storage, count: used)
        storage.deallocate()
        storage = newStorage
        capacity = newCapacity
    }

    /// Reserves `room` bytes and lets `body` write at most that many through a cursor.
    @inlinable @inline(__always)
    public func write(reserving room: Int, _ body: (inout ByteCursor) -> Void) {
        reserve(room)
        var cursor = ByteCursor(storage + used)
        body(&cursor)
        used = cursor.position - storage
    }

    // MARK: Checked writes, for text of unknown length.

    /// Appends `text`'s UTF-8 bytes, growing as needed.
    public func append(_ text: String) {
        var copy = text
        copy.withUTF8 { bytes in
            write(reserving: bytes.count) { $0.put(UnsafeRawBufferPointer(bytes)) }
        }
    }

    /// Appends another buffer's bytes.
    public func append(contentsOf other: EncodingBuffer) {
        withExtendedLifetime(other) { append(other.bytes) }
    }

    /// Appends raw bytes, growing as needed.
    public func append(_ bytes: UnsafeRawBufferPointer) {
        write(reserving: bytes.count) { $0.put(bytes) }
    }
}
