import NIOCore

/// The Kafka APIs the gateway reads or answers, by key.
enum ApiKey: Int16 {
    case produce = 0, listOffsets = 2, metadata = 3, findCoordinator = 10, apiVersions = 18
}

/// The start of a request frame: the API, its version and the correlation id its response must
/// carry. The client id and, in flexible versions, tagged fields follow (`readRest`).
struct RequestHeader {
    let apiKey: Int16
    let apiVersion: Int16
    let correlationId: Int32

    static func read(_ frame: inout ByteBuffer) throws -> RequestHeader {
        RequestHeader(apiKey: try frame.wireInt16(), apiVersion: try frame.wireInt16(), correlationId: try frame.wireInt32())
    }

    /// Reads the rest of the header: the client id, then the tagged fields of a flexible request
    /// (header v2; the client id keeps header v1's layout there too).
    static func readRest(_ frame: inout ByteBuffer, flexible: Bool) throws -> String? {
        let clientId = try frame.wireNullableString()
        if flexible { try frame.skipWireTaggedFields() }
        return clientId
    }

    /// Writes a non-flexible (v1) request header for `apiKey` at `version` with this correlation id.
    func write(into buffer: inout ByteBuffer, apiKey: ApiKey, version: Int16, clientId: String?) {
        buffer.writeWireInt16(apiKey.rawValue)
        buffer.writeWireInt16(version)
        buffer.writeWireInt32(correlationId)
        buffer.writeWireNullableString(clientId)
    }
}

/// A Produce request's acks (-1, 0, 1): with acks=0 the broker sends no response.
enum ProduceAcks {
    /// `body` starts after the header (the versions the gateway advertises are not flexible).
    static func of(_ body: ByteBuffer, version: Int16) throws -> Int16 {
        var body = body
        if version >= 3 { _ = try body.wireNullableString() }  // transactional_id
        return try body.wireInt16()
    }
}
