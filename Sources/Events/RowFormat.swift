/// A way of writing one row's fields: a CSV line or a JSON object. Row types list their fields
/// once (`TransactionRow`, `MerchantRow`) and every format writes the same values in the same
/// order, so a Kafka record always carries exactly its CSV row.
public protocol RowFormat {
    /// A free text value, escaped as the format needs.
    mutating func string(_ column: Int, _ value: String)
    /// A value the row writes itself: generated ASCII with no character that needs escaping.
    /// `isNumber` values are JSON numbers; the others are JSON strings.
    mutating func raw(_ column: Int, isNumber: Bool, _ write: (inout [UInt8]) -> Void)
    /// An absent value: an empty CSV field, a JSON `null`.
    mutating func null(_ column: Int)
}

/// Writes fields as one RFC 4180 CSV line (no line end; the caller adds `\n`).
public struct CSVLine: RowFormat {
    public var bytes: [UInt8]

    public init(into bytes: [UInt8]) { self.bytes = bytes }

    @inline(__always)
    private mutating func separate(_ column: Int) {
        if column > 0 { bytes.append(UInt8(ascii: ",")) }
    }

    public mutating func string(_ column: Int, _ value: String) {
        separate(column)
        let needsQuotes = value.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
        guard needsQuotes else { return bytes.append(string: value) }
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            if byte == UInt8(ascii: "\"") { bytes.append(byte) }
            bytes.append(byte)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    public mutating func raw(_ column: Int, isNumber: Bool, _ write: (inout [UInt8]) -> Void) {
        separate(column)
        write(&bytes)
    }

    public mutating func null(_ column: Int) {
        separate(column)
    }
}

/// Writes fields as one JSON object whose keys are the row's column names.
public struct JSONObject: RowFormat {
    public var bytes: [UInt8]
    /// `"name":` for each column, prepared once.
    private let keys: [[UInt8]]

    public init(into bytes: [UInt8], keys: [[UInt8]]) {
        self.bytes = bytes
        self.keys = keys
    }

    /// The `"name":` prefixes of `columns`, for `init(into:keys:)`.
    public static func keys(for columns: [String]) -> [[UInt8]] {
        columns.map { Array("\"\($0)\":".utf8) }
    }

    @inline(__always)
    private mutating func key(_ column: Int) {
        bytes.append(column == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
        bytes.append(contentsOf: keys[column])
    }

    /// Adds the closing brace; call once after the last field.
    public mutating func close() {
        bytes.append(UInt8(ascii: "}"))
    }

    /// Adds `,"name":"value"` for a field that is not a CSV column (e.g. `event_type`).
    public mutating func extra(_ name: StaticString, _ value: String) {
        bytes.append(UInt8(ascii: ","))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(ascii: name)
        bytes.append(contentsOf: Array("\":".utf8))
        appendQuoted(value)
    }

    public mutating func string(_ column: Int, _ value: String) {
        key(column)
        appendQuoted(value)
    }

    @inline(__always)
    public mutating func raw(_ column: Int, isNumber: Bool, _ write: (inout [UInt8]) -> Void) {
        key(column)
        if !isNumber { bytes.append(UInt8(ascii: "\"")) }
        write(&bytes)
        if !isNumber { bytes.append(UInt8(ascii: "\"")) }
    }

    public mutating func null(_ column: Int) {
        key(column)
        bytes.append(ascii: "null")
    }

    private mutating func appendQuoted(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case 0..<0x20:
                bytes.append(ascii: "\\u00")
                bytes.append(Self.hex[Int(byte >> 4)])
                bytes.append(Self.hex[Int(byte & 0xF)])
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hex = Array("0123456789abcdef".utf8)
}
