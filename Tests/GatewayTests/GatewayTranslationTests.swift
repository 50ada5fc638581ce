@testable import BrokerGateway
import NIOCore
import Testing

/// The gateway's answers and translations, byte for byte, against Kafka's message layouts
/// (clients/src/main/resources/common/message in apache/kafka).
@Suite struct GatewayTranslationTests {
    /// librdkafka 2.0.2's mock cluster's table (its ApiVersions v0 answer), in part.
    let mock: [ApiVersionsTable.Range] = [
        .init(apiKey: 0, min: 0, max: 7), .init(apiKey: 1, min: 0, max: 11), .init(apiKey: 2, min: 0, max: 5),
        .init(apiKey: 3, min: 0, max: 2), .init(apiKey: 10, min: 0, max: 2), .init(apiKey: 18, min: 0, max: 2),
    ]

    @Test func theTableRaisesMetadataCapsListOffsetsAndServesApiVersionsThree() {
        let table = ApiVersionsTable(upstream: mock)
        #expect(table.range(of: .metadata) == .init(apiKey: 3, min: 0, max: 8))
        #expect(table.range(of: .listOffsets) == .init(apiKey: 2, min: 0, max: 3))
        #expect(table.range(of: .apiVersions) == .init(apiKey: 18, min: 0, max: 3))
        #expect(table.range(of: .produce) == .init(apiKey: 0, min: 0, max: 7))
    }

    @Test func apiVersionsIsAnsweredInTheLayoutOfTheVersionAsked() throws {
        let table = ApiVersionsTable(upstream: mock)
        // v0: error, array of (key, min, max); v1: then the throttle time.
        var v0 = table.response(to: 0)
        #expect(try ApiVersionsTable.readUpstream(&v0) == table.ranges && v0.readableBytes == 0)
        var v1 = table.response(to: 1)
        #expect(try ApiVersionsTable.readUpstream(&v1) == table.ranges && v1.wireInt32() == 0 && v1.readableBytes == 0)
        // v3: error, compact array with tagged fields per entry, throttle, tagged fields.
        var v3 = table.response(to: 3)
        #expect(try v3.wireInt16() == 0)
        #expect(try v3.wireUnsignedVarint() == UInt32(table.ranges.count + 1))
        for range in table.ranges {
            #expect(try (v3.wireInt16(), v3.wireInt16(), v3.wireInt16()) == (range.apiKey, range.min, range.max))
            try v3.skipWireTaggedFields()
        }
        #expect(try v3.wireInt32() == 0)
        try v3.skipWireTaggedFields()
        #expect(v3.readableBytes == 0)
        // v4 (a newer client): UNSUPPORTED_VERSION in the v0 layout, so that it asks again at v3.
        var v4 = table.response(to: 4)
        #expect(try v4.wireInt16() == 35)
        #expect(try ApiVersionsTable.readRanges(&v4) == table.ranges && v4.readableBytes == 0)
    }

    @Test func metadataRequestsOfEveryVersionAreRead() throws {
        var v0 = ByteBuffer()
        v0.writeWireArrayCount(0)
        #expect(try MetadataRequest(body: v0, version: 0).topics == nil)   // v0: an empty list is every topic
        var v1 = ByteBuffer()
        v1.writeWireArrayCount(nil)
        #expect(try MetadataRequest(body: v1, version: 1).topics == nil)
        var v8 = ByteBuffer()
        v8.writeWireArrayCount(2)
        v8.writeWireNullableString("a")
        v8.writeWireNullableString("b")
        v8.writeWireBool(false)      // allow_auto_topic_creation
        v8.writeWireBool(false)      // include_cluster_authorized_operations
        v8.writeWireBool(true)       // include_topic_authorized_operations
        let request = try MetadataRequest(body: v8, version: 8)
        #expect(request.topics == ["a", "b"] && !request.allowAutoTopicCreation)
    }

    /// A v2 answer: one broker, one topic of two partitions.
    func metadataV2() -> ByteBuffer {
        var body = ByteBuffer()
        body.writeWireArrayCount(1)
        body.writeWireInt32(1); body.writeWireNullableString("127.0.0.1"); body.writeWireInt32(40_123); body.writeWireNullableString(nil)
        body.writeWireNullableString("mockCluster1"); body.writeWireInt32(1)
        body.writeWireArrayCount(1)
        body.writeWireInt16(0); body.writeWireNullableString("t"); body.writeWireBool(false)
        body.writeWireArrayCount(2)
        for partition: Int32 in 0..<2 {
            body.writeWireInt16(0); body.writeWireInt32(partition); body.writeWireInt32(1)
            body.writeWireArrayCount(1); body.writeWireInt32(1); body.writeWireArrayCount(1); body.writeWireInt32(1)
        }
        return body
    }

    @Test func aV2AnswerBecomesTheVersionAskedWithTheGatewaysAddress() throws {
        let response = try MetadataResponse(v2: metadataV2())
        var expected = metadataV2()
        expected.setInteger(Int32(9092), at: 4 + 4 + 2 + 9)  // the port: after the count, the node id and "127.0.0.1"
        #expect(response.body(version: 2, host: "127.0.0.1", port: 9092) == expected)
        // v8: throttle, brokers with rack, cluster id, controller, topics with is_internal, partitions with leader
        // epoch and offline replicas, topic and cluster authorized operations.
        var v8 = response.body(version: 8, host: "gw", port: 9092)
        #expect(try v8.wireInt32() == 0)
        #expect(try v8.wireArrayCount() == 1)
        #expect(try (v8.wireInt32(), v8.wireString(), v8.wireInt32(), v8.wireNullableString()) == (1, "gw", 9092, nil))
        #expect(try (v8.wireNullableString(), v8.wireInt32()) == ("mockCluster1", 1))
        #expect(try v8.wireArrayCount() == 1)
        #expect(try (v8.wireInt16(), v8.wireString(), v8.wireBool()) == (0, "t", false))
        #expect(try v8.wireArrayCount() == 2)
        for partition: Int32 in 0..<2 {
            #expect(try (v8.wireInt16(), v8.wireInt32(), v8.wireInt32(), v8.wireInt32()) == (0, partition, 1, -1))
            #expect(try (v8.wireArrayCount(), v8.wireInt32(), v8.wireArrayCount(), v8.wireInt32(), v8.wireArrayCount()) == (1, 1, 1, 1, 0))
        }
        #expect(try (v8.wireInt32(), v8.wireInt32()) == (Int32.min, Int32.min))
        #expect(v8.readableBytes == 0)
    }

    @Test func aTopicThatMayNotBeCreatedIsUnknown() throws {
        var response = try MetadataResponse(v2: metadataV2())
        response.addUnknown(["missing"])
        #expect(response.topics.last.map { ($0.errorCode, $0.name, $0.partitions.count) } ?? (0, "", 1) == (3, "missing", 0))
    }

    @Test func theCoordinatorIsTheGateway() throws {
        var v2 = ByteBuffer()
        v2.writeWireInt32(0); v2.writeWireInt16(0); v2.writeWireNullableString(nil)
        v2.writeWireInt32(1); v2.writeWireNullableString("127.0.0.1"); v2.writeWireInt32(40_123)
        var rewritten = try FindCoordinatorResponse.rewritten(v2, version: 2, host: "127.0.0.1", port: 9092)
        #expect(try (rewritten.wireInt32(), rewritten.wireInt16(), rewritten.wireNullableString()) == (0, 0, nil))
        #expect(try (rewritten.wireInt32(), rewritten.wireString(), rewritten.wireInt32()) == (1, "127.0.0.1", 9092))
    }
}
