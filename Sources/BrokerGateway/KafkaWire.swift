import NIOCore

/// Kafka's protocol primitives (https://kafka.apache.org/protocol#protocol_types) over NIO's
/// `ByteBuffer`: the fixed-width integers are big-endian; a STRING is an int16 length then UTF-8
/// (-1: null); an ARRAY an int32 count (-1: null); the COMPACT forms of flexible versions use an
/// unsigned varint of length + 1 (0: null); tagged fields are a varint count of (tag, size, bytes).
/// A read past the end is a `WireError`: a frame the gateway cannot read closes the connection.
struct WireError: Error, CustomStringConvertible {
    let description: String
}

extension ByteBuffer {
    mutating func wireInt8() throws -> Int8 { try readInteger(as: Int8.self).orThrow("int8") }
    mutating func wireInt16() throws -> Int16 { try readInteger(as: Int16.self).orThrow("int16") }
    mutating func wireInt32() throws -> Int32 { try readInteger(as: Int32.self).orThrow("int32") }

    mutating func wireBool() throws -> Bool { try wireInt8() != 0 }

    mutating func wireNullableString() throws -> String? {
        let length = try wireInt16()
        guard length >= 0 else { return nil }
        return try readString(length: Int(length)).orThrow("string")
    }

    mutating func wireString() throws -> String { try wireNullableString().orThrow("string (null)") }

    /// An ARRAY's count; nil for a null array.
    mutating func wireArrayCount() throws -> Int? {
        let count = try wireInt32()
        guard count >= 0 else { return nil }
        guard Int(count) <= readableBytes else { throw WireError(description: "an array of \(count) in \(readableBytes) bytes") }
        return Int(count)
    }

    mutating func wireUnsignedVarint() throws -> UInt32 {
        var value: UInt32 = 0
        for shift in stride(from: 0, to: 35, by: 7) {
            let byte = try readInteger(as: UInt8.self).orThrow("varint")
            value |= UInt32(byte & 0x7F) << UInt32(shift)
            if byte & 0x80 == 0 { return value }
        }
        throw WireError(description: "a varint longer than 5 bytes")
    }

    /// Skips a tagged-field section.
    mutating func skipWireTaggedFields() throws {
        for _ in 0..<(try wireUnsignedVarint()) {
            _ = try wireUnsignedVarint()
            let size = Int(try wireUnsignedVarint())
            guard size <= readableBytes else { throw WireError(description: "a tagged field past the frame") }
            moveReaderIndex(forwardBy: size)
        }
    }

    mutating func writeWireInt8(_ value: Int8) { writeInteger(value) }
    mutating func writeWireInt16(_ value: Int16) { writeInteger(value) }
    mutating func writeWireInt32(_ value: Int32) { writeInteger(value) }
    mutating func writeWireBool(_ value: Bool) { writeInteger(Int8(value ? 1 : 0)) }

    mutating func writeWireNullableString(_ value: String?) {
        guard let value else { return writeWireInt16(-1) }
        writeWireInt16(Int16(value.utf8.count))
        writeString(value)
    }

    mutating func writeWireArrayCount(_ count: Int?) { writeWireInt32(count.map(Int32.init) ?? -1) }

    mutating func writeWireUnsignedVarint(_ value: UInt32) {
        var rest = value
        while rest >= 0x80 {
            writeInteger(UInt8(rest & 0x7F | 0x80))
            rest >>= 7
        }
        writeInteger(UInt8(rest))
    }

    /// An empty tagged-field section.
    mutating func writeWireNoTaggedFields() { writeWireUnsignedVarint(0) }
}

extension Optional {
    func orThrow(_ what: String) throws -> Wrapped {
        guard let value = self else { throw WireError(description: "the frame ends inside a \(what)") }
        return value
    }
}
