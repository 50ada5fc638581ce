/// A way of writing one row's fields into a `ByteBuffer`: a CSV line or a JSON object. Row types
/// list their fields once (`TransactionRow`, `MerchantRow`) and every format writes the same values
/// in the same order, so a Kafka record always carries exactly its CSV row.
///
/// A field the row writes itself is bracketed by `begin` and `end`; the row puts generated ASCII
/// (no character that needs escaping) into `buffer` in between, within room it reserved.
public protocol RowFormat {
    var buffer: ByteBuffer { get }
    /// Starts field `column`; `quoted` fields are JSON strings, the others JSON numbers.
    func begin(_ column: Int, quoted: Bool)
    func end(quoted: Bool)
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

    @inlinable @inline(__always)
    public func begin(_ column: Int, quoted: Bool) {
        if column > 0 { buffer.put(UInt8(ascii: ",")) }
    }

    @inlinable @inline(__always)
    public func end(quoted: Bool) {}

    public func string(_ column: Int, _ value: String) {
        buffer.reserve(1)
        begin(column, quoted: true)
        let needsQuotes = value.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
        guard needsQuotes else { return buffer.append(value) }
        buffer.reserve(value.utf8.count * 2 + 2)
        buffer.put(UInt8(ascii: "\""))
        for byte in value.utf8 {
            if byte == UInt8(ascii: "\"") { buffer.put(byte) }
            buffer.put(byte)
        }
        buffer.put(UInt8(ascii: "\""))
    }

    public func null(_ column: Int) {
        buffer.reserve(1)
        begin(column, quoted: false)
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

    @inlinable @inline(__always)
    public func begin(_ column: Int, quoted: Bool) {
        buffer.put(column == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
        buffer.put(keys.key(column))
        if quoted { buffer.put(UInt8(ascii: "\"")) }
    }

    @inlinable @inline(__always)
    public func end(quoted: Bool) {
        if quoted { buffer.put(UInt8(ascii: "\"")) }
    }

    /// Adds the closing brace; call once after the last field.
    @inlinable @inline(__always)
    public func close() {
        buffer.reserve(1)
        buffer.put(UInt8(ascii: "}"))
    }

    /// Adds `,"name":"value"` for a field that is not a CSV column (e.g. `event_type`).
    public func extra(_ name: StaticString, _ value: StaticString) {
        buffer.reserve(name.utf8CodeUnitCount + value.utf8CodeUnitCount + 6)
        buffer.put(",\"")
        buffer.put(name)
        buffer.put("\":\"")
        buffer.put(value)
        buffer.put(UInt8(ascii: "\""))
    }

    public func string(_ column: Int, _ value: String) {
        buffer.reserve(keys.key(column).count + 2 + value.utf8.count * 6)
        begin(column, quoted: true)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                buffer.put(UInt8(ascii: "\\"))
                buffer.put(byte)
            case 0..<0x20:
                buffer.put("\\u00")
                buffer.put(JSONObject.hex[Int(byte >> 4)])
                buffer.put(JSONObject.hex[Int(byte & 0xF)])
            default:
                buffer.put(byte)
            }
        }
        end(quoted: true)
    }

    public func null(_ column: Int) {
        buffer.reserve(keys.key(column).count + 5)
        begin(column, quoted: false)
        buffer.put("null")
    }

    private static let hex = Array("0123456789abcdef".utf8)
}

/// The `"name":` prefix of each column, prepared once and kept for the life of the process.
public final class JSONKeys: @unchecked Sendable {
    @usableFromInline let prefixes: [UnsafeRawBufferPointer]

    public init(_ columns: [String]) {
        prefixes = columns.map { column in
            let bytes = Array("\"\(column)\":".utf8)
            let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
            storage.copyBytes(from: bytes)
            return UnsafeRawBufferPointer(storage)
        }
    }

    @inlinable @inline(__always)
    func key(_ column: Int) -> UnsafeRawBufferPointer { prefixes[column] }
}
