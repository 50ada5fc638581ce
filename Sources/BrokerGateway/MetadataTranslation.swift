import NIOCore

/// A Metadata request of a client (v0–v8, the versions the gateway advertises), read to be asked
/// of the upstream broker at v2: the topics it names (nil: every topic) and whether it lets the
/// broker create the missing ones.
struct MetadataRequest {
    var topics: [String]?
    var allowAutoTopicCreation: Bool

    init(body: ByteBuffer, version: Int16) throws {
        var body = body
        let count = try body.wireArrayCount()
        let names = try count.map { count in try (0..<count).map { _ in try body.wireString() } }
        // v0 asks for every topic with an empty list; later versions with a null one.
        topics = version == 0 && names?.isEmpty == true ? nil : names
        allowAutoTopicCreation = version >= 4 ? try body.wireBool() : true
    }

    /// The v2 request body for `topics`.
    static func upstreamBody(topics: [String]?) -> ByteBuffer {
        var body = ByteBuffer()
        body.writeWireArrayCount(topics?.count)
        for topic in topics ?? [] { body.writeWireNullableString(topic) }
        return body
    }
}

/// A Metadata v2 response of the upstream broker, rewritten for a client that asked at another
/// version: every broker is the gateway's address, and topics the client named but may not have
/// created come back as UNKNOWN_TOPIC_OR_PARTITION.
struct MetadataResponse {
    struct Broker {
        let nodeId: Int32
        let rack: String?
    }

    struct Partition {
        let errorCode: Int16
        let index: Int32
        let leader: Int32
        let replicas: [Int32]
        let isr: [Int32]
    }

    struct Topic {
        let errorCode: Int16
        let name: String
        let isInternal: Bool
        let partitions: [Partition]
    }

    var brokers: [Broker]
    let clusterId: String?
    let controllerId: Int32
    var topics: [Topic]

    /// Reads a v2 response body.
    init(v2 body: ByteBuffer) throws {
        var body = body
        func int32s() throws -> [Int32] { try (0..<(try body.wireArrayCount() ?? 0)).map { _ in try body.wireInt32() } }
        brokers = try (0..<(try body.wireArrayCount() ?? 0)).map { _ in
            let node = try body.wireInt32()
            _ = try body.wireString()   // host
            _ = try body.wireInt32()    // port
            return Broker(nodeId: node, rack: try body.wireNullableString())
        }
        clusterId = try body.wireNullableString()
        controllerId = try body.wireInt32()
        topics = try (0..<(try body.wireArrayCount() ?? 0)).map { _ in
            let error = try body.wireInt16(), name = try body.wireString(), isInternal = try body.wireBool()
            let partitions = try (0..<(try body.wireArrayCount() ?? 0)).map { _ in
                Partition(errorCode: try body.wireInt16(), index: try body.wireInt32(), leader: try body.wireInt32(),
                          replicas: try int32s(), isr: try int32s())
            }
            return Topic(errorCode: error, name: name, isInternal: isInternal, partitions: partitions)
        }
    }

    /// Adds UNKNOWN_TOPIC_OR_PARTITION (3) for each of `names`.
    mutating func addUnknown(_ names: [String]) {
        topics += names.map { Topic(errorCode: 3, name: $0, isInternal: false, partitions: []) }
    }

    /// The body at `version` (0–8), every broker at `host:port`.
    func body(version: Int16, host: String, port: Int32) -> ByteBuffer {
        var body = ByteBuffer()
        func int32s(_ values: [Int32]) {
            body.writeWireArrayCount(values.count)
            for value in values { body.writeWireInt32(value) }
        }
        if version >= 3 { body.writeWireInt32(0) }  // throttle_time_ms
        body.writeWireArrayCount(brokers.count)
        for broker in brokers {
            body.writeWireInt32(broker.nodeId)
            body.writeWireNullableString(host)
            body.writeWireInt32(port)
            if version >= 1 { body.writeWireNullableString(broker.rack) }
        }
        if version >= 2 { body.writeWireNullableString(clusterId) }
        if version >= 1 { body.writeWireInt32(controllerId) }
        body.writeWireArrayCount(topics.count)
        for topic in topics {
            body.writeWireInt16(topic.errorCode)
            body.writeWireNullableString(topic.name)
            if version >= 1 { body.writeWireBool(topic.isInternal) }
            body.writeWireArrayCount(topic.partitions.count)
            for partition in topic.partitions {
                body.writeWireInt16(partition.errorCode)
                body.writeWireInt32(partition.index)
                body.writeWireInt32(partition.leader)
                if version >= 7 { body.writeWireInt32(-1) }  // leader_epoch: unknown
                int32s(partition.replicas)
                int32s(partition.isr)
                if version >= 5 { int32s([]) }               // offline_replicas
            }
            if version >= 8 { body.writeWireInt32(Int32.min) }  // topic_authorized_operations: not asked
        }
        if version >= 8 { body.writeWireInt32(Int32.min) }      // cluster_authorized_operations
        return body
    }
}

/// A FindCoordinator response (v0–v2) with the coordinator's address replaced by the gateway's.
enum FindCoordinatorResponse {
    static func rewritten(_ body: ByteBuffer, version: Int16, host: String, port: Int32) throws -> ByteBuffer {
        var body = body
        var out = ByteBuffer()
        if version >= 1 { out.writeWireInt32(try body.wireInt32()) }        // throttle_time_ms
        out.writeWireInt16(try body.wireInt16())                             // error_code
        if version >= 1 { out.writeWireNullableString(try body.wireNullableString()) }  // error_message
        let node = try body.wireInt32()
        let upstreamHost = try body.wireString(), upstreamPort = try body.wireInt32()
        out.writeWireInt32(node)
        out.writeWireNullableString(node >= 0 ? host : upstreamHost)
        out.writeWireInt32(node >= 0 ? port : upstreamPort)
        return out
    }
}
