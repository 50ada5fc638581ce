import CRdKafka
import Foundation

/// The argument list of one `rd_kafka_produceva` call: topic, key, value, timestamp, the two
/// headers, `RD_KAFKA_MSG_F_COPY` (librdkafka copies key and value, so buffers are reused at once)
/// and the topic index as the message opaque. Allocated once and refilled for every message.
final class ProduceArguments {
    static let count = 8
    let pointer: UnsafeMutablePointer<rd_kafka_vu_t>

    init() {
        pointer = .allocate(capacity: Self.count)
        pointer.initialize(repeating: rd_kafka_vu_t(), count: Self.count)
    }

    deinit { pointer.deallocate() }

    @inline(__always)
    func fill(topic: OpaquePointer, index: Int, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
              timestampMilliseconds: Int64, eventType: StaticString, schemaVersion: StaticString) {
        pointer[0].vtype = RD_KAFKA_VTYPE_RKT
        pointer[0].u.rkt = topic
        pointer[1].vtype = RD_KAFKA_VTYPE_KEY
        pointer[1].u.mem = .init(ptr: UnsafeMutableRawPointer(mutating: key.baseAddress), size: key.count)
        pointer[2].vtype = RD_KAFKA_VTYPE_VALUE
        pointer[2].u.mem = .init(ptr: UnsafeMutableRawPointer(mutating: value.baseAddress), size: value.count)
        pointer[3].vtype = RD_KAFKA_VTYPE_TIMESTAMP
        pointer[3].u.i64 = timestampMilliseconds
        pointer[4].vtype = RD_KAFKA_VTYPE_HEADER
        pointer[4].u.header = .init(name: Self.eventTypeName, val: UnsafeRawPointer(eventType.utf8Start), size: eventType.utf8CodeUnitCount)
        pointer[5].vtype = RD_KAFKA_VTYPE_HEADER
        pointer[5].u.header = .init(name: Self.schemaVersionName, val: UnsafeRawPointer(schemaVersion.utf8Start), size: schemaVersion.utf8CodeUnitCount)
        pointer[6].vtype = RD_KAFKA_VTYPE_MSGFLAGS
        pointer[6].u.i = RD_KAFKA_MSG_F_COPY
        pointer[7].vtype = RD_KAFKA_VTYPE_OPAQUE
        pointer[7].u.ptr = UnsafeMutableRawPointer(bitPattern: index + 1)
    }

    // Header names as C strings for the lifetime of the process (never freed, never written).
    nonisolated(unsafe) private static let eventTypeName = UnsafePointer(strdup("event_type")!)
    nonisolated(unsafe) private static let schemaVersionName = UnsafePointer(strdup("schema_version")!)
}
