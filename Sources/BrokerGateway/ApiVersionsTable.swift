import NIOCore

/// The versions of each API the gateway serves: the upstream broker's, except where the gateway
/// answers or translates:
/// - ApiVersions 0–3, answered by the gateway (a newer request gets UNSUPPORTED_VERSION in the v0
///   layout with this table, as a Kafka broker answers, and the client asks again at v3);
/// - Metadata up to v8, translated to the broker's v2 (Java's admin client needs v4 or later);
/// - ListOffsets up to v3 (librdkafka 2.0.2's mock writes v4 and v5 answers wrongly);
/// - FindCoordinator up to v2 and Produce up to v8, the layouts it reads (a newer mock serves
///   their flexible versions too).
struct ApiVersionsTable: Equatable, Sendable {
    struct Range: Equatable, Sendable {
        let apiKey: Int16
        let min: Int16
        let max: Int16
    }

    let ranges: [Range]

    static let apiVersionsMax: Int16 = 3
    static let metadataMax: Int16 = 8
    static let listOffsetsMax: Int16 = 3
    static let findCoordinatorMax: Int16 = 2
    static let produceMax: Int16 = 8

    /// The table served for an upstream broker that serves `upstream`.
    init(upstream: [Range]) {
        var ranges = upstream.filter { $0.apiKey != ApiKey.apiVersions.rawValue }.map { range in
            switch range.apiKey {
            case ApiKey.metadata.rawValue: Range(apiKey: range.apiKey, min: range.min, max: Self.metadataMax)
            case ApiKey.listOffsets.rawValue: Range(apiKey: range.apiKey, min: range.min, max: min(range.max, Self.listOffsetsMax))
            case ApiKey.findCoordinator.rawValue: Range(apiKey: range.apiKey, min: range.min, max: min(range.max, Self.findCoordinatorMax))
            case ApiKey.produce.rawValue: Range(apiKey: range.apiKey, min: range.min, max: min(range.max, Self.produceMax))
            default: range
            }
        }
        ranges.append(Range(apiKey: ApiKey.apiVersions.rawValue, min: 0, max: Self.apiVersionsMax))
        self.ranges = ranges.sorted { $0.apiKey < $1.apiKey }
    }

    func range(of key: ApiKey) -> Range? { ranges.first { $0.apiKey == key.rawValue } }

    /// Reads an ApiVersions v0 response body (error code, then the ranges).
    static func readUpstream(_ body: inout ByteBuffer) throws -> [Range] {
        let error = try body.wireInt16()
        guard error == 0 else { throw WireError(description: "the broker answered ApiVersions with error \(error)") }
        return try readRanges(&body)
    }

    /// Reads the ranges of a v0-layout answer (an array of key, min, max).
    static func readRanges(_ body: inout ByteBuffer) throws -> [Range] {
        try (0..<(try body.wireArrayCount().orThrow("array (null)"))).map { _ in
            Range(apiKey: try body.wireInt16(), min: try body.wireInt16(), max: try body.wireInt16())
        }
    }

    /// The ApiVersions response body to a request at `version`: the table in that version's layout,
    /// or for a version above 3 the error UNSUPPORTED_VERSION (35) in the v0 layout.
    func response(to version: Int16) -> ByteBuffer {
        var body = ByteBuffer()
        guard version <= Self.apiVersionsMax else {
            body.writeWireInt16(35)
            writeRanges(compact: false, into: &body)
            return body
        }
        body.writeWireInt16(0)
        writeRanges(compact: version >= 3, into: &body)
        if version >= 1 { body.writeWireInt32(0) }  // throttle_time_ms
        if version >= 3 { body.writeWireNoTaggedFields() }
        return body
    }

    private func writeRanges(compact: Bool, into body: inout ByteBuffer) {
        if compact { body.writeWireUnsignedVarint(UInt32(ranges.count + 1)) } else { body.writeWireArrayCount(ranges.count) }
        for range in ranges {
            body.writeWireInt16(range.apiKey)
            body.writeWireInt16(range.min)
            body.writeWireInt16(range.max)
            if compact { body.writeWireNoTaggedFields() }
        }
    }
}
