import Simulation

/// Writes bytes at a raw position with no checks; `EncodingBuffer.write(reserving:_:)` hands one out
/// after reserving the room. A local value, so that the position stays in a register while a row
/// is written (writing through the buffer object reloaded its fields after every byte).
@frozen
public struct ByteCursor {
    @usableFromInline var position: UnsafeMutablePointer<UInt8>

    @inlinable
    init(_ position: UnsafeMutablePointer<UInt8>) { self.position = position }

    @inlinable @inline(__always)
    public mutating func put(_ byte: UInt8) {
        position.pointee = byte
        position += 1
    }

    @inlinable @inline(__always)
    public mutating func put(_ text: StaticString) {
        position.update(from: text.utf8Start, count: text.utf8CodeUnitCount)
        position += text.utf8CodeUnitCount
    }

    @inlinable @inline(__always)
    public mutating func put(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        UnsafeMutableRawPointer(position).copyMemory(from: base, byteCount: bytes.count)
        position += bytes.count
    }

    /// `value` (≥ 0) in decimal, left-padded with zeros to at least `width` digits.
    @inlinable @inline(__always)
    public mutating func put(digitsOf value: Int, width: Int = 1) {
        var digits = 1
        var limit = 10
        while value >= limit && digits < 19 { digits &+= 1; limit &*= 10 }
        let total = digits > width ? digits : width
        var end = position + total
        var rest = value
        // Two digits per step; divisions by constants compile to multiplications.
        while rest >= 100 {
            let pair = rest % 100
            rest /= 100
            end -= 2
            end[0] = UInt8(truncatingIfNeeded: pair / 10) &+ 48
            end[1] = UInt8(truncatingIfNeeded: pair % 10) &+ 48
        }
        if rest >= 10 {
            end -= 2
            end[0] = UInt8(truncatingIfNeeded: rest / 10) &+ 48
            end[1] = UInt8(truncatingIfNeeded: rest % 10) &+ 48
        } else {
            end -= 1
            end[0] = UInt8(truncatingIfNeeded: rest) &+ 48
        }
        while end > position { end -= 1; end[0] = 48 }
        position += total
    }

    /// `value / divisor` with exactly `decimals` digits after the point (e.g. cents → `45.50`).
    @inlinable @inline(__always)
    public mutating func put(fixed value: Int, decimals: Int, divisor: Int) {
        if value < 0 { put(UInt8(ascii: "-")) }
        let magnitude = value < 0 ? -value : value
        put(digitsOf: magnitude / divisor)
        put(UInt8(ascii: "."))
        put(digitsOf: magnitude % divisor, width: decimals)
    }

    /// A rate in ten-thousandths as a decimal without trailing zeros (`320` → `0.032`).
    @inlinable @inline(__always)
    public mutating func put(rate: Int) {
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
    public mutating func put(day: Day) {
        let civil = day.civil
        put(digitsOf: civil.year, width: 4)
        put(UInt8(ascii: "-"))
        put(digitsOf: civil.month, width: 2)
        put(UInt8(ascii: "-"))
        put(digitsOf: civil.day, width: 2)
    }

    /// `YYYY-MM-DDTHH:MM:SS` for seconds since 1970-01-01T00:00:00.
    @inlinable @inline(__always)
    public mutating func put(timestamp seconds: Int64) {
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
}
