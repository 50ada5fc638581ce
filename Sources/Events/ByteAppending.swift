import Simulation

/// Appending text to a byte buffer without building `String`s: the hot path formats millions of
/// rows, and these hand-written routines are several times faster than `String(format:)` or
/// string interpolation followed by `utf8` (see the benchmark in README.md).
extension Array where Element == UInt8 {
    @inline(__always)
    mutating func append(ascii text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    @inline(__always)
    mutating func append(string: String) {
        var text = string
        text.withUTF8 { append(contentsOf: $0) }
    }

    /// `value` (≥ 0) in decimal, left-padded with zeros to at least `width` digits.
    @inline(__always)
    mutating func append(digitsOf value: Int, width: Int = 1) {
        var digitCount = 1
        var probe = value
        while probe >= 10 { probe /= 10; digitCount += 1 }
        let total = Swift.max(digitCount, width)
        let start = count
        append(contentsOf: repeatElement(UInt8(ascii: "0"), count: total))
        var rest = value
        var position = start + total - 1
        while rest > 0 {
            self[position] = UInt8(truncatingIfNeeded: rest % 10) &+ UInt8(ascii: "0")
            rest /= 10
            position -= 1
        }
    }

    /// `value / 10^decimals` with exactly `decimals` digits after the point (e.g. cents → `45.50`).
    @inline(__always)
    mutating func append(fixed value: Int, decimals: Int, divisor: Int) {
        if value < 0 { append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        append(digitsOf: Int(magnitude / UInt(divisor)))
        append(UInt8(ascii: "."))
        append(digitsOf: Int(magnitude % UInt(divisor)), width: decimals)
    }

    /// A rate in ten-thousandths as a decimal without trailing zeros (`320` → `0.032`).
    @inline(__always)
    mutating func append(rate: Int) {
        append(digitsOf: rate / 10_000)
        var fraction = rate % 10_000
        guard fraction != 0 else { return }
        append(UInt8(ascii: "."))
        var width = 4
        while fraction % 10 == 0 { fraction /= 10; width -= 1 }
        append(digitsOf: fraction, width: width)
    }

    /// `YYYY-MM-DD`.
    @inline(__always)
    mutating func append(day: Day) {
        let civil = day.civil
        append(digitsOf: civil.year, width: 4)
        append(UInt8(ascii: "-"))
        append(digitsOf: civil.month, width: 2)
        append(UInt8(ascii: "-"))
        append(digitsOf: civil.day, width: 2)
    }

    /// `YYYY-MM-DDTHH:MM:SS` for seconds since 1970-01-01T00:00:00.
    @inline(__always)
    mutating func append(timestamp seconds: Int64) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        append(day: Day(ordinal: Int(days)))
        append(UInt8(ascii: "T"))
        append(digitsOf: secondOfDay / 3600, width: 2)
        append(UInt8(ascii: ":"))
        append(digitsOf: secondOfDay / 60 % 60, width: 2)
        append(UInt8(ascii: ":"))
        append(digitsOf: secondOfDay % 60, width: 2)
    }
}
