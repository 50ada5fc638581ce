/// How a run encodes its records' values: the JSON object (the default), or Avro in the Confluent
/// wire format: magic byte 0, the value schema's 4-byte big-endian id in the Schema Registry,
/// then the Avro binary record (`AvroRecord`).
public enum ValueFormat: Sendable, Equatable {
    case json
    /// `schemaIds`: the registry's id of each of the run's streams' value schema, in their order.
    case avro(schemaIds: [Int32])

    /// How the values of the run's stream `index` are encoded.
    public func encoding(ofStream index: Int) -> ValueEncoding {
        switch self {
        case .json: .json
        case let .avro(schemaIds): .avro(schemaId: schemaIds[index])
        }
    }
}

/// How one stream's values are encoded.
public enum ValueEncoding: Sendable, Equatable {
    case json
    /// Avro in the Confluent wire format, with this value schema id.
    case avro(schemaId: Int32)

    /// Empties `buffer` and writes the Confluent wire format's header: magic byte 0 and the schema id.
    @inlinable @inline(__always)
    public static func startAvroValue(schemaId: Int32, in buffer: EncodingBuffer) {
        buffer.removeAll()
        buffer.write(reserving: 5) { cursor in
            cursor.put(0)
            withUnsafeBytes(of: UInt32(bitPattern: schemaId).bigEndian) { cursor.put($0) }
        }
    }
}
