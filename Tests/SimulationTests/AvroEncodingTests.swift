import Records
import Simulation
import Testing

/// The Avro writer against the Avro specification's binary encoding, in process (a debug build,
/// so that `AvroRecord`'s checks of every written field against `RecordFields` are on).
@Suite struct AvroEncodingTests {
    func bytes(_ write: (inout ByteCursor) -> Void) -> [UInt8] {
        let buffer = EncodingBuffer()
        buffer.write(reserving: 32, write)
        return Array(buffer.bytes)
    }

    /// The specification's zig-zag table: 0 → 00, -1 → 01, 1 → 02, -2 → 03, 2 → 04, -64 → 7f, 64 → 80 01.
    @Test func longsAreZigZagVarints() {
        let table: [(Int64, [UInt8])] = [(0, [0x00]), (-1, [0x01]), (1, [0x02]), (-2, [0x03]), (2, [0x04]),
                                         (-64, [0x7f]), (64, [0x80, 0x01]), (1_704_067_200_000, [0x80, 0xd0, 0x8f, 0xa5, 0x98, 0x63])]
        for (value, expected) in table { #expect(bytes { $0.putAvroLong(value) } == expected, "\(value)") }
    }

    /// Decimals on bytes: a length, then the fewest big-endian two's-complement bytes.
    @Test func decimalsAreMinimalTwosComplementBytes() {
        let table: [(Int, [UInt8])] = [(0, [0x02, 0x00]), (-1, [0x02, 0xff]), (127, [0x02, 0x7f]), (128, [0x04, 0x00, 0x80]),
                                       (14_847, [0x04, 0x39, 0xff]), (-129, [0x04, 0xff, 0x7f]), (32_768, [0x06, 0x00, 0x80, 0x00])]
        for (value, expected) in table { #expect(bytes { $0.putAvroDecimal(unscaled: value) } == expected, "\(value)") }
    }

    /// Every event of two simulated days encodes through the field checks, in the wire format.
    @Test func everyEventEncodesByItsFieldList() {
        let value = EncodingBuffer()
        for day in simulate(from: "2024-01-01", days: 2).days {
            for event in day.merchantEvents {
                EventStreams.merchants.encodeValue(of: event, into: value, as: .avro(schemaId: 7))
                #expect(Array(value.bytes.prefix(5)) == [0, 0, 0, 0, 7])
            }
            for transaction in day.transactions {
                EventStreams.transactions.encodeValue(of: transaction, into: value, as: .avro(schemaId: 8))
                #expect(Array(value.bytes.prefix(5)) == [0, 0, 0, 0, 8])
                // "TXN" and 10 digits: a string of 13 bytes, its zig-zag length 26 first.
                #expect(value.bytes[5] == 26 && value.bytes[6] == UInt8(ascii: "T"))
            }
        }
    }
}
