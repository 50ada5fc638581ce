import Simulation

/// Writes a row's fields as an Avro record in Avro's binary encoding (the Avro 1.11
/// specification, "Binary Encoding"), by the record's `RecordFields`: `int` and `long` as
/// zig-zag varints, `string` as a length and UTF-8 bytes, `double` as 8 little-endian bytes,
/// `decimal` as `bytes` holding the unscaled value in big-endian two's complement, a nullable
/// field as a union `["null", type]` (its branch index first). Hand-written for the hot path.
public struct AvroRecord: RowFormat {
    public let buffer: EncodingBuffer
    /// Bit `column` is set when that field is nullable (written as a union).
    @usableFromInline let nullable: UInt64
    /// The record's fields, to check in debug builds that rows write each field by its type.
    @usableFromInline let fields: RecordFields

    @inlinable
    public init(_ buffer: EncodingBuffer, fields: RecordFields) {
        self.buffer = buffer
        self.fields = fields
        nullable = fields.nullableMask
    }

    /// A union branch index (1 byte) and a string length (1 byte).
    @inlinable
    public var fieldOverhead: Int { 2 }

    /// The union branch of a present value of a nullable field.
    @inlinable @inline(__always)
    func present(_ column: Int, _ type: FieldType, _ cursor: inout ByteCursor) {
        assert(fields.fields[column].type == type, "\(fields.name).\(fields.fields[column].name) is not written as \(type)")
        if nullable & (1 << UInt64(column)) != 0 { cursor.put(2) }
    }

    @inlinable @inline(__always)
    public func text(_ column: Int, _ cursor: inout ByteCursor, _ body: (inout ByteCursor) -> Void) {
        present(column, .text, &cursor)
        let length = cursor.position
        cursor.position += 1
        body(&cursor)
        let count = cursor.position - length - 1
        precondition(count < 64, "generated text fits a one-byte length")
        length.pointee = UInt8(truncatingIfNeeded: count << 1)
    }

    @inlinable @inline(__always)
    public func money(_ column: Int, cents: Int, _ cursor: inout ByteCursor) {
        present(column, .money, &cursor)
        cursor.putAvroDecimal(unscaled: cents)
    }

    @inlinable @inline(__always)
    public func rate(_ column: Int, tenThousandths: Int, _ cursor: inout ByteCursor) {
        present(column, .rate, &cursor)
        cursor.putAvroDecimal(unscaled: tenThousandths)
    }

    @inlinable @inline(__always)
    public func coordinate(_ column: Int, millionths: Int, _ cursor: inout ByteCursor) {
        present(column, .coordinate, &cursor)
        let bits = (Double(millionths) / 1_000_000).bitPattern.littleEndian
        withUnsafeBytes(of: bits) { cursor.put($0) }
    }

    @inlinable @inline(__always)
    public func integer(_ column: Int, _ value: Int, _ cursor: inout ByteCursor) {
        present(column, .integer, &cursor)
        cursor.putAvroLong(Int64(value))
    }

    @inlinable @inline(__always)
    public func date(_ column: Int, _ day: Day, _ cursor: inout ByteCursor) {
        present(column, .date, &cursor)
        cursor.putAvroLong(Int64(day.ordinal))
    }

    @inlinable @inline(__always)
    public func localTimestamp(_ column: Int, seconds: Int64, _ cursor: inout ByteCursor) {
        present(column, .localTimestamp, &cursor)
        cursor.putAvroLong(seconds &* 1_000)
    }

    public func string(_ column: Int, _ value: String) {
        buffer.write(reserving: value.utf8.count + 11) { cursor in
            present(column, .text, &cursor)
            cursor.putAvroLong(Int64(value.utf8.count))
            for byte in value.utf8 { cursor.put(byte) }
        }
    }

    public func null(_ column: Int) {
        assert(nullable & (1 << UInt64(column)) != 0, "\(fields.name).\(fields.fields[column].name) is not nullable")
        buffer.write(reserving: 1) { $0.put(0) }
    }
}

extension ByteCursor {
    /// An Avro `int` or `long`: zig-zag, then 7 bits a byte, least significant first (at most 10 bytes).
    @inlinable @inline(__always)
    public mutating func putAvroLong(_ value: Int64) {
        var rest = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        while rest >= 0x80 {
            put(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        put(UInt8(truncatingIfNeeded: rest))
    }

    /// An Avro `decimal` on `bytes`: the length, then the fewest big-endian two's-complement bytes
    /// that hold `unscaled` (at most 9).
    @inlinable @inline(__always)
    public mutating func putAvroDecimal(unscaled: Int) {
        var count = 1
        while count < 8 && (unscaled >> (8 * count - 1) != 0 && unscaled >> (8 * count - 1) != -1) { count &+= 1 }
        put(UInt8(truncatingIfNeeded: count << 1))
        var shift = 8 * (count - 1)
        while shift >= 0 {
            put(UInt8(truncatingIfNeeded: unscaled >> shift))
            shift -= 8
        }
    }
}
