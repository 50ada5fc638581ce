import Simulation

/// A way of writing one row's fields into a `EncodingBuffer`: a CSV line, a JSON object or an Avro
/// record. Row types list their fields once (`TransactionRow.fields`, `MerchantRow.fields`) and
/// write each value through the format by its type, in that order, so a Kafka record always
/// carries exactly its CSV row.
///
/// The typed calls write through a cursor, within room the row reserved (`fieldOverhead` per
/// field plus the values); `string` and `null` reserve their own.
public protocol RowFormat {
    var buffer: EncodingBuffer { get }
    /// Room the format adds around a field at most (separators, key, quotes, length).
    var fieldOverhead: Int { get }
    /// A `.text` field of generated ASCII that `body` writes: at most 63 bytes, nothing to escape.
    func text(_ column: Int, _ cursor: inout ByteCursor, _ body: (inout ByteCursor) -> Void)
    /// A `.money` field in cents.
    func money(_ column: Int, cents: Int, _ cursor: inout ByteCursor)
    /// A `.rate` field in ten-thousandths.
    func rate(_ column: Int, tenThousandths: Int, _ cursor: inout ByteCursor)
    /// A `.coordinate` field in millionths of a degree.
    func coordinate(_ column: Int, millionths: Int, _ cursor: inout ByteCursor)
    /// An `.integer` field (≥ 0).
    func integer(_ column: Int, _ value: Int, _ cursor: inout ByteCursor)
    /// A `.date` field.
    func date(_ column: Int, _ day: Day, _ cursor: inout ByteCursor)
    /// A `.localTimestamp` field: seconds since 1970-01-01T00:00:00 of the simulated wall clock.
    func localTimestamp(_ column: Int, seconds: Int64, _ cursor: inout ByteCursor)
    /// A whole `.text` field of free text, escaped as the format needs.
    func string(_ column: Int, _ value: String)
    /// An absent value of a nullable field: an empty CSV field, a JSON `null`, Avro's `null` branch.
    func null(_ column: Int)
}

/// A format that writes every value as text between a field's `begin` and `end` (CSV, JSON).
public protocol TextRowFormat: RowFormat {
    /// Starts field `column`; `quoted` fields are JSON strings, the others JSON numbers.
    func begin(_ column: Int, quoted: Bool, _ cursor: inout ByteCursor)
    func end(quoted: Bool, _ cursor: inout ByteCursor)
}

extension TextRowFormat {
    @inlinable @inline(__always)
    public func text(_ column: Int, _ cursor: inout ByteCursor, _ body: (inout ByteCursor) -> Void) {
        begin(column, quoted: true, &cursor); body(&cursor); end(quoted: true, &cursor)
    }

    @inlinable @inline(__always)
    public func money(_ column: Int, cents: Int, _ cursor: inout ByteCursor) {
        begin(column, quoted: false, &cursor); cursor.put(fixed: cents, decimals: 2, divisor: 100)
    }

    @inlinable @inline(__always)
    public func rate(_ column: Int, tenThousandths: Int, _ cursor: inout ByteCursor) {
        begin(column, quoted: false, &cursor); cursor.put(rate: tenThousandths)
    }

    @inlinable @inline(__always)
    public func coordinate(_ column: Int, millionths: Int, _ cursor: inout ByteCursor) {
        begin(column, quoted: false, &cursor); cursor.put(fixed: millionths, decimals: 6, divisor: 1_000_000)
    }

    @inlinable @inline(__always)
    public func integer(_ column: Int, _ value: Int, _ cursor: inout ByteCursor) {
        begin(column, quoted: false, &cursor); cursor.put(digitsOf: value)
    }

    @inlinable @inline(__always)
    public func date(_ column: Int, _ day: Day, _ cursor: inout ByteCursor) {
        begin(column, quoted: true, &cursor); cursor.put(day: day); end(quoted: true, &cursor)
    }

    @inlinable @inline(__always)
    public func localTimestamp(_ column: Int, seconds: Int64, _ cursor: inout ByteCursor) {
        begin(column, quoted: true, &cursor); cursor.put(timestamp: seconds); end(quoted: true, &cursor)
    }
}

/// Writes fields as one RFC 4180 CSV line (no line end; the caller adds `\n`).
public struct CSVLine: TextRowFormat {
    public let buffer: EncodingBuffer

    @inlinable
    public init(_ buffer: EncodingBuffer) { self.buffer = buffer }

    @inlinable
    public var fieldOverhead: Int { 1 }

    @inlinable @inline(__always)
    public func begin(_ column: Int, quoted: Bool, _ cursor: inout ByteCursor) {
        if column > 0 { cursor.put(UInt8(ascii: ",")) }
    }

    @inlinable @inline(__always)
    public func end(quoted: Bool, _ cursor: inout ByteCursor) {}

    /// Hand-written for the hot path (every text field of every row): one scan of the string's
    /// contiguous UTF-8 and one copy when it needs no quotes, which cut the merchants file's time.
    public func string(_ column: Int, _ value: String) {
        var text = value
        text.withUTF8 { bytes in
            let needsQuotes = bytes.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
            buffer.write(reserving: bytes.count * 2 + 3) { cursor in
                begin(column, quoted: true, &cursor)
                guard needsQuotes else { return cursor.put(UnsafeRawBufferPointer(bytes)) }
                cursor.put(UInt8(ascii: "\""))
                for byte in bytes {
                    if byte == UInt8(ascii: "\"") { cursor.put(byte) }
                    cursor.put(byte)
                }
                cursor.put(UInt8(ascii: "\""))
            }
        }
    }

    public func null(_ column: Int) {
        buffer.write(reserving: 1) { begin(column, quoted: false, &$0) }
    }
}

/// Writes fields as one JSON object whose keys are the row's column names.
public struct JSONObject: TextRowFormat {
    public let buffer: EncodingBuffer
    @usableFromInline let keys: JSONKeys

    @inlinable
    public init(_ buffer: EncodingBuffer, keys: JSONKeys) {
        self.buffer = buffer
        self.keys = keys
    }

    @inlinable
    public var fieldOverhead: Int { keys.longest + 3 }

    @inlinable @inline(__always)
    public func begin(_ column: Int, quoted: Bool, _ cursor: inout ByteCursor) {
        cursor.put(column == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
        cursor.put(keys.key(column))
        if quoted { cursor.put(UInt8(ascii: "\"")) }
    }

    @inlinable @inline(__always)
    public func end(quoted: Bool, _ cursor: inout ByteCursor) {
        if quoted { cursor.put(UInt8(ascii: "\"")) }
    }

    /// Adds the closing brace; call once after the last field.
    @inlinable @inline(__always)
    public func close() {
        buffer.write(reserving: 1) { $0.put(UInt8(ascii: "}")) }
    }

    public func string(_ column: Int, _ value: String) {
        buffer.write(reserving: fieldOverhead) { begin(column, quoted: false, &$0) }
        buffer.appendJSONString(value)
    }

    public func null(_ column: Int) {
        buffer.write(reserving: fieldOverhead + 4) { cursor in
            begin(column, quoted: false, &cursor)
            cursor.put("null")
        }
    }
}

extension EncodingBuffer {
    /// Appends `value` as a quoted JSON string, escaping quotes, backslashes and control characters.
    /// Hand-written for the hot path (every text field of a JSON value, every key and text of
    /// `merchants.json`): a string with nothing to escape, nearly all of them, is scanned once and
    /// copied at once, which took a fifth off writing the state whole at --scale 1000 (perf).
    public func appendJSONString(_ value: String) {
        var text = value
        text.withUTF8 { bytes in
            guard bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                return write(reserving: bytes.count + 2) { cursor in
                    cursor.put(UInt8(ascii: "\""))
                    cursor.put(UnsafeRawBufferPointer(bytes))
                    cursor.put(UInt8(ascii: "\""))
                }
            }
            write(reserving: bytes.count * 6 + 2) { cursor in
                cursor.put(UInt8(ascii: "\""))
                for byte in bytes {
                    switch byte {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                        cursor.put(UInt8(ascii: "\\"))
                        cursor.put(byte)
                    case 0..<0x20:
                        cursor.put("\\u00")
                        cursor.put(hexDigits[Int(byte >> 4)])
                        cursor.put(hexDigits[Int(byte & 0xF)])
                    default:
                        cursor.put(byte)
                    }
                }
                cursor.put(UInt8(ascii: "\""))
            }
        }
    }
}

private let hexDigits = Array("0123456789abcdef".utf8)

/// The `"name":` prefix of each column, prepared once and kept for the life of the process.
public final class JSONKeys: @unchecked Sendable {
    @usableFromInline let prefixes: Names
    /// Bytes of the longest prefix.
    @usableFromInline let longest: Int

    public init(_ columns: [String]) {
        prefixes = Names(columns.map { "\"\($0)\":" })
        longest = prefixes.bytes.map(\.count).max() ?? 0
    }

    @inlinable @inline(__always)
    func key(_ column: Int) -> UnsafeRawBufferPointer { prefixes[column] }
}
