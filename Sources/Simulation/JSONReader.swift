/// Reads JSON text one value at a time, straight from its bytes: for the large sections of
/// `merchants.json` (`SimulationState.readLargeSections`) and for finding where each member of its
/// top-level object lies.
///
/// Hand-written because loading a large state through `JSONDecoder` took 15 s and about 1.3 GiB
/// for the 286 MB state of --scale 1000 (it maps the whole document before decoding any of it).
/// It accepts JSON (RFC 8259) and refuses what is not, nested at most `maximumDepth` deep; a caller
/// that meets `Malformed` may hand the whole text to `JSONDecoder` for its error message.
public struct JSONReader {
    /// Text that is not JSON, or not of the expected type.
    public struct Malformed: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// Values nested deeper than this are refused rather than read.
    public static let maximumDepth = 512

    private let bytes: UnsafeRawBufferPointer
    /// The offset of the next byte to read.
    private var position: Int

    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        position = 0
    }

    /// True when only whitespace is left.
    public mutating func isAtEnd() -> Bool {
        skipWhitespace()
        return position == bytes.count
    }

    /// Reads an object, calling `body` with each member's key; `body` must read the member's value.
    public mutating func members(_ body: (inout JSONReader, String) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        if take(UInt8(ascii: "}")) { return }
        repeat {
            let key = try string()
            try expect(UInt8(ascii: ":"))
            try body(&self, key)
        } while take(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"))
    }

    /// Reads an array, calling `body` to read each element.
    public mutating func elements(_ body: (inout JSONReader) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        if take(UInt8(ascii: "]")) { return }
        repeat { try body(&self) } while take(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"))
    }

    /// Reads a string.
    public mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let text = try Self.text(UnsafeRawBufferPointer(rebasing: bytes[start..<position]), at: start)
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { return try escapedString(from: start) }
            guard byte >= 0x20 else { throw Malformed("a control character in a string at byte \(position)") }
            position += 1
        }
        throw Malformed("a string without its end at byte \(start)")
    }

    /// `utf8` as a string; ASCII, nearly every string of a state, without the generic validation,
    /// which took a fifth of reading one (`perf`: metadata lookups).
    private static func text(_ utf8: UnsafeRawBufferPointer, at start: Int) throws -> String {
        if !utf8.contains(where: { $0 >= 0x80 }) { return String(decoding: utf8, as: UTF8.self) }
        guard let text = String(validating: utf8, as: UTF8.self) else { throw Malformed("a string that is not UTF-8 at byte \(start)") }
        return text
    }

    /// Reads `null` when it comes next; false (and nothing read) otherwise.
    public mutating func takeNull() -> Bool {
        skipWhitespace()
        guard bytes.count - position >= 4, bytes[position] == UInt8(ascii: "n") else { return false }
        guard bytes[position + 1] == UInt8(ascii: "u"), bytes[position + 2] == UInt8(ascii: "l"),
              bytes[position + 3] == UInt8(ascii: "l") else { return false }
        position += 4
        return true
    }

    /// Reads a number written as an integer (no fraction, no exponent) that fits in an `Int`.
    public mutating func integer() throws -> Int {
        let (span, isInteger) = try numberSpan()
        guard isInteger, let value = Int(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[span]), as: UTF8.self)) else {
            throw Malformed("not an integer at byte \(span.lowerBound)")
        }
        return value
    }

    /// Reads a number.
    public mutating func double() throws -> Double {
        let (span, _) = try numberSpan()
        guard let value = Double(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[span]), as: UTF8.self)), value.isFinite else {
            throw Malformed("a number out of range at byte \(span.lowerBound)")
        }
        return value
    }

    /// Reads any value without keeping it; returns where it lies.
    @discardableResult
    public mutating func skipValue() throws -> Range<Int> {
        try skipValue(depth: 0)
    }

    private mutating func skipValue(depth: Int) throws -> Range<Int> {
        guard depth < Self.maximumDepth else { throw Malformed("values nested more than \(Self.maximumDepth) deep") }
        skipWhitespace()
        let start = position
        guard position < bytes.count else { throw Malformed("a value missing at the end") }
        switch bytes[position] {
        case UInt8(ascii: "{"): try members { reader, _ in _ = try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["): try elements { reader in _ = try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try numberSpan()
        }
        return start..<position
    }

    /// Passes over a string without making it (its bytes are checked as UTF-8 by whoever reads them).
    private mutating func skipString() throws {
        let start = position
        position += 1
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "\""):
                position += 1
                return
            case UInt8(ascii: "\\"): position += 2
            case 0..<0x20: throw Malformed("a control character in a string at byte \(position)")
            default: position += 1
            }
        }
        throw Malformed("a string without its end at byte \(start)")
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard bytes.count - position >= count,
              (0..<count).allSatisfy({ bytes[position + $0] == word.utf8Start[$0] }) else { throw Malformed("an unknown word at byte \(position)") }
        position += count
    }

    /// The bytes of a number (`-? int frac? exp?`), and whether it has neither fraction nor exponent.
    private mutating func numberSpan() throws -> (Range<Int>, isInteger: Bool) {
        skipWhitespace()
        let start = position
        _ = takeByte(UInt8(ascii: "-"))
        let integerStart = position
        let integerDigits = digits()
        guard integerDigits > 0 else { throw Malformed("not a number at byte \(start)") }
        guard integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else {
            throw Malformed("a number with a leading zero at byte \(start)")
        }
        var isInteger = true
        if takeByte(UInt8(ascii: ".")) {
            isInteger = false
            guard digits() > 0 else { throw Malformed("a number without fraction digits at byte \(start)") }
        }
        if takeByte(UInt8(ascii: "e")) || takeByte(UInt8(ascii: "E")) {
            isInteger = false
            if !takeByte(UInt8(ascii: "+")) { _ = takeByte(UInt8(ascii: "-")) }
            guard digits() > 0 else { throw Malformed("a number without exponent digits at byte \(start)") }
        }
        return (start..<position, isInteger)
    }

    /// Reads decimal digits; returns how many.
    private mutating func digits() -> Int {
        let start = position
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
        return position - start
    }

    /// The rest of a string that has an escape, from its first byte at `start`.
    private mutating func escapedString(from start: Int) throws -> String {
        var text = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return try text.withUnsafeBytes { try Self.text($0, at: start) }
            case UInt8(ascii: "\\"):
                guard position < bytes.count else { break }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escape)
                case UInt8(ascii: "b"): text.append(8)
                case UInt8(ascii: "f"): text.append(12)
                case UInt8(ascii: "n"): text.append(10)
                case UInt8(ascii: "r"): text.append(13)
                case UInt8(ascii: "t"): text.append(9)
                case UInt8(ascii: "u"): text.append(contentsOf: try unicodeEscape())
                default: throw Malformed("an unknown escape at byte \(position - 2)")
                }
            default:
                guard byte >= 0x20 else { throw Malformed("a control character in a string at byte \(position - 1)") }
                text.append(byte)
            }
        }
        throw Malformed("a string without its end at byte \(start)")
    }

    /// The UTF-8 bytes of a `\uXXXX` escape (after its `\u`), with the low half of a surrogate pair.
    private mutating func unicodeEscape() throws -> [UInt8] {
        let first = try hexQuad()
        var scalarValue = UInt32(first)
        if (0xD800..<0xDC00).contains(first) {
            guard bytes.count - position >= 6, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                throw Malformed("half a surrogate pair at byte \(position)")
            }
            position += 2
            let second = try hexQuad()
            guard (0xDC00..<0xE000).contains(second) else { throw Malformed("half a surrogate pair at byte \(position)") }
            scalarValue = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(scalarValue) else { throw Malformed("half a surrogate pair at byte \(position)") }
        return Array(String(Character(scalar)).utf8)
    }

    private mutating func hexQuad() throws -> UInt16 {
        guard bytes.count - position >= 4 else { throw Malformed("a malformed \\u escape at byte \(position)") }
        var value: UInt16 = 0
        for byte in bytes[position..<position + 4] {
            guard let digit = Character(Unicode.Scalar(byte)).hexDigitValue else { throw Malformed("a malformed \\u escape at byte \(position)") }
            value = value << 4 | UInt16(digit)
        }
        position += 4
        return value
    }

    /// Reads `byte` when it comes next (after whitespace); false otherwise.
    private mutating func take(_ byte: UInt8) -> Bool {
        skipWhitespace()
        return takeByte(byte)
    }

    private mutating func takeByte(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard take(byte) else { throw Malformed("expected '\(Character(Unicode.Scalar(byte)))' at byte \(position)") }
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): position += 1
            default: return
            }
        }
    }
}
