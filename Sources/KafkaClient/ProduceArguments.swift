import CRdKafka
import Records
import Foundation

/// The headers of one record: `event_type`, `schema_version`, `replay_run`, `replay_seq` and,
/// on a transaction of a run with disorder, `replay_delivery`.
public struct RecordHeaders {
    public var eventType: StaticString
    public var schemaVersion: StaticString
    public var run: UnsafeRawBufferPointer
    public var sequence: UnsafeRawBufferPointer
    public var delivery: UnsafeRawBufferPointer?

    public init(eventType: StaticString, schemaVersion: StaticString, run: UnsafeRawBufferPointer, sequence: UnsafeRawBufferPointer,
                delivery: UnsafeRawBufferPointer? = nil) {
        self.eventType = eventType
        self.schemaVersion = schemaVersion
        self.run = run
        self.sequence = sequence
        self.delivery = delivery
    }
}

/// The argument list of one `rd_kafka_produceva` call: topic, partition, key, value, timestamp,
/// the four headers, `RD_KAFKA_MSG_F_COPY` (librdkafka copies key, value and headers, so buffers
/// are reused at once), the topic index as the message opaque, and the fifth header when there
/// is one. Allocated once and refilled for every message. Package-wide (and inlinable) for the
/// benchmark's raw librdkafka baseline, which produces with the same arguments.
package final class ProduceArguments {
    static let capacity = 12
    package let pointer: UnsafeMutablePointer<rd_kafka_vu_t>
    /// How many arguments the last `fill` set.
    package private(set) var count = 11

    package init() {
        pointer = .allocate(capacity: Self.capacity)
        pointer.initialize(repeating: rd_kafka_vu_t(), count: Self.capacity)
    }

    deinit { pointer.deallocate() }

    @inlinable @inline(__always)
    package func fill(topic: OpaquePointer, index: Int, partition: Int32, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
              timestampMilliseconds: Int64, headers: RecordHeaders) {
        pointer[0].vtype = RD_KAFKA_VTYPE_RKT
        pointer[0].u.rkt = topic
        pointer[1].vtype = RD_KAFKA_VTYPE_PARTITION
        pointer[1].u.i32 = partition
        pointer[2].vtype = RD_KAFKA_VTYPE_KEY
        pointer[2].u.mem = .init(ptr: UnsafeMutableRawPointer(mutating: key.baseAddress), size: key.count)
        pointer[3].vtype = RD_KAFKA_VTYPE_VALUE
        pointer[3].u.mem = .init(ptr: UnsafeMutableRawPointer(mutating: value.baseAddress), size: value.count)
        pointer[4].vtype = RD_KAFKA_VTYPE_TIMESTAMP
        pointer[4].u.i64 = timestampMilliseconds
        header(5, Self.eventTypeName, UnsafeRawBufferPointer(start: headers.eventType.utf8Start, count: headers.eventType.utf8CodeUnitCount))
        header(6, Self.schemaVersionName, UnsafeRawBufferPointer(start: headers.schemaVersion.utf8Start, count: headers.schemaVersion.utf8CodeUnitCount))
        header(7, Self.runName, headers.run)
        header(8, Self.sequenceName, headers.sequence)
        pointer[9].vtype = RD_KAFKA_VTYPE_MSGFLAGS
        pointer[9].u.i = RD_KAFKA_MSG_F_COPY
        pointer[10].vtype = RD_KAFKA_VTYPE_OPAQUE
        pointer[10].u.ptr = UnsafeMutableRawPointer(bitPattern: index + 1)
        if let delivery = headers.delivery {
            header(11, Self.deliveryName, delivery)
            count = 12
        } else {
            count = 11
        }
    }

    @usableFromInline @inline(__always)
    func header(_ slot: Int, _ name: UnsafePointer<CChar>, _ value: UnsafeRawBufferPointer) {
        pointer[slot].vtype = RD_KAFKA_VTYPE_HEADER
        pointer[slot].u.header = .init(name: name, val: value.baseAddress, size: value.count)
    }

    // Header names as C strings for the lifetime of the process (never freed, never written).
    @usableFromInline nonisolated(unsafe) static let eventTypeName = UnsafePointer(strdup("event_type")!)
    @usableFromInline nonisolated(unsafe) static let schemaVersionName = UnsafePointer(strdup("schema_version")!)
    @usableFromInline nonisolated(unsafe) static let runName = UnsafePointer(strdup(RecordIdentity.runHeader)!)
    @usableFromInline nonisolated(unsafe) static let sequenceName = UnsafePointer(strdup(RecordIdentity.sequenceHeader)!)
    @usableFromInline nonisolated(unsafe) static let deliveryName = UnsafePointer(strdup(RecordIdentity.deliveryHeader)!)
}
