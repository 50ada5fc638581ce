import Simulation

/// A growable byte buffer written through a raw pointer.
///
/// Hand-written for the hot path: formatting every transaction row through `[UInt8]` appends
/// spent most of its time in uniqueness and capacity checks and `repeatElement` copies (callgrind,
/// see README's performance section); here a row reserves its room once and then writes bytes
/// with no checks.
public final class ByteBuffer {
    @usableFromInline var storage: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    @usableFromInline var used = 0

    /// Bytes written.
    @inlinable
    public var count: Int { used }

    public init(capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 64)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    /// The bytes written, valid until the next change.
    @inlinable
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage, count: used) }

    public func removeAll() { used = 0 }

    /// Drops the first `prefix` bytes, keeping the rest at the start.
    public func removeFirst(_ prefix: Int) {
        let rest = used - prefix
        if rest > 0 { (storage).update(from: storage + prefix, count: rest) }
        used = max(rest, 0)
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

    // MARK: Unchecked writes: the caller reserved the room.

    @inlinable @inline(__always)
    public func put(_ byte: UInt8) {
        storage[used] = byte
        used &+= 1
    }

    @inlinable @inline(__always)
    public func put(_ text: StaticString) {
        let length = text.utf8CodeUnitCount
        (storage + used).update(from: text.utf8Start, count: length)
        used &+= length
    }

    @inlinable @inline(__always)
    public func put(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        (UnsafeMutableRawPointer(storage + used)).copyMemory(from: base, byteCount: bytes.count)
        used &+= bytes.count
    }

    /// `value` (≥ 0) in decimal, left-padded with zeros to at least `width` digits (at most 20).
    @inlinable @inline(__always)
    public func put(digitsOf value: Int, width: Int = 1) {
        var digitCount = 1
        var probe = value
        while probe >= 10 { probe /= 10; digitCount &+= 1 }
        let total = digitCount > width ? digitCount : width
        var position = used &+ total &- 1
        var rest = value
        let start = used
        while position >= start {
            storage[position] = UInt8(truncatingIfNeeded: rest % 10) &+ 48
            rest /= 10
            position &-= 1
        }
        used &+= total
    }

    /// `value / divisor` with exactly `decimals` digits after the point (e.g. cents → `45.50`).
    @inlinable @inline(__always)
    public func put(fixed value: Int, decimals: Int, divisor: Int) {
        if value < 0 { put(UInt8(ascii: "-")) }
        let magnitude = value < 0 ? -value : value
        put(digitsOf: magnitude / divisor)
        put(UInt8(ascii: "."))
        put(digitsOf: magnitude % divisor, width: decimals)
    }

    /// A rate in ten-thousandths as a decimal without trailing zeros (`320` → `0.032`).
    @inlinable @inline(__always)
    public func put(rate: Int) {
        put(digitsOf: rate / 10_000)
        var fraction = rate % 10_000
        guard fraction != 0 else { return }
        put(UInt8(ascii: "."))
        var width = 4
        while fraction % 10 == 0 { fraction /= 10; width &-= 1 }
        put(digitsOf: fraction, width: width)
    }

    /// `YYYY-MM-DD`.
    @inlinable @inline(__always)
    public func put(day: Day) {
        let civil = day.civil
        put(digitsOf: civil.year, width: 4)
        put(UInt8(ascii: "-"))
        put(digitsOf: civil.month, width: 2)
        put(UInt8(ascii: "-"))
        put(digitsOf: civil.day, width: 2)
    }

    /// `YYYY-MM-DDTHH:MM:SS` for seconds since 1970-01-01T00:00:00.
    @inlinable @inline(__always)
    public func put(timestamp seconds: Int64) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        put(day: Day(ordinal: Int(days)))
        put(UInt8(ascii: "T"))
        put(digitsOf: secondOfDay / 3600, width: 2)
        put(UInt8(ascii: ":"))
        put(digitsOf: secondOfDay / 60 % 60, width: 2)
        put(UInt8(ascii: ":"))
        put(digitsOf: secondOfDay % 60, width: 2)
    }

    // MARK: Checked writes, for text of unknown length.

    /// Appends `text`'s UTF-8 bytes, growing as needed.
    public func append(_ text: String) {
        var copy = text
        copy.withUTF8 { bytes in
            reserve(bytes.count)
            put(UnsafeRawBufferPointer(bytes))
        }
    }
}
