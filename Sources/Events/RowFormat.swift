/// A way of writing one row's fields into a `ByteBuffer`: a CSV line or a JSON object. Row types
/// list their fields once (`TransactionRow`, `MerchantRow`) and every format writes the same values
/// in the same order, so a Kafka record always carries exactly its CSV row.
///
/// A field the row writes itself is bracketed by `begin` and `end`; in between the row puts
/// generated ASCII (no character that needs escaping) through the cursor, within room it reserved.
public protocol RowFormat {
    var buffer: ByteBuffer { get }
    /// Room the format adds around a field at most (separators, key, quotes).
    var fieldOverhead: Int { get }
    /// Starts field `column`; `quoted` fields are JSON strings, the others JSON numbers.
    func begin(_ column: Int, quoted: Bool, _ cursor: inout ByteCursor)
    func end(quoted: Bool, _ cursor: inout ByteCursor)
    /// A whole field of free text, escaped as the format needs.
    func string(_ column: Int, _ value: String)
    /// An absent value: an empty CSV field, a JSON `null`.
    func null(_ column: Int)
}

/// Writes fields as one RFC 4180 CSV line (no line end; the caller adds `\n`).
public struct CSVLine: RowFormat {
    public let buffer: ByteBuffer

    @inlinable
    public init(_ buffer: ByteBuffer) { self.buffer = buffer }

    @inlinable
    public var fieldOverhead: Int { 1 }

    @inlinable @inline(__always)
    public func begin(_ column: Int, quoted: Bool, _ cursor: inout ByteCursor) {
        if column > 0 { cursor.put(UInt8(ascii: ",")) }
    }

    @inlinable @inline(__always)
    public func end(quoted: Bool, _ cursor: inout ByteCursor) {}

    public func string(_ column: Int, _ value: String) {
        let needsQuotes = value.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
        buffer.write(reserving: value.utf8.count * 2 + 3) { cursor in
            begin(column, quoted: true, &cursor)
            if needsQuotes { cursor.put(UInt8(ascii: "\"")) }
            for byte in value.utf8 {
                if needsQuotes && byte == UInt8(ascii: "\"") { cursor.put(byte) }
                cursor.put(byte)
            }
            if needsQuotes { cursor.put(UInt8(ascii: "\"")) }
        }
    }

    public func null(_ column: Int) {
        buffer.write(reserving: 1) { begin(column, quoted: false, &$0) }
    }
}

/// Writes fields as one JSON object whose keys are the row's column names.
public struct JSONObject: RowFormat {
    public let buffer: ByteBuffer
    @usableFromInline let keys: JSONKeys

    @inlinable
    public init(_ buffer: ByteBuffer, keys: JSONKeys) {
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

    /// Adds `,"name":"value"` for a field that is not a CSV column (e.g. `event_type`).
    public func extra(_ name: StaticString, _ value: StaticString) {
        buffer.write(reserving: name.utf8CodeUnitCount + value.utf8CodeUnitCount + 6) { cursor in
            cursor.put(",\"")
            cursor.put(name)
            cursor.put("\":\"")
            cursor.put(value)
            cursor.put(UInt8(ascii: "\""))
        }
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

extension ByteBuffer {
    /// Appends `value` as a quoted JSON string, escaping quotes, backslashes and control characters.
    public func appendJSONString(_ value: String) {
        write(reserving: value.utf8.count * 6 + 2) { cursor in
            cursor.put(UInt8(ascii: "\""))
            for byte in value.utf8 {
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
