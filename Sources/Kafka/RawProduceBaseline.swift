import CRdKafka
import Foundation

/// The benchmark's ceiling for the Kafka path: pre-encoded messages produced straight through
/// librdkafka (`rd_kafka_produceva`, the same flags, headers and properties as `KafkaProducer`),
/// with nothing else in the loop.
public enum RawProduceBaseline {
    /// One pre-encoded message: where its key and value lie in the payload.
    public struct Message {
        public var topic: Int
        public var key: Range<Int>
        public var value: Range<Int>
        public var timestampMilliseconds: Int64

        public init(topic: Int, key: Range<Int>, value: Range<Int>, timestampMilliseconds: Int64) {
            self.topic = topic
            self.key = key
            self.value = value
            self.timestampMilliseconds = timestampMilliseconds
        }
    }

    /// Produces every message, waits until all are acknowledged and returns the seconds it took.
    public static func run(configuration: ProducerConfiguration, topics: [String], payload: UnsafeRawBufferPointer,
                           messages: [Message]) throws -> Double {
        let conf = try configuration.makeNativeConfiguration()
        rd_kafka_conf_set_log_cb(conf) { _, _, _, _ in }
        var error = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &error, error.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError("cannot create the baseline producer: \(String(cBuffer: error))")
        }
        defer { rd_kafka_destroy(handle) }
        let topicHandles = topics.map { rd_kafka_topic_new(handle, $0, nil) }
        defer { topicHandles.forEach { rd_kafka_topic_destroy($0) } }
        var arguments = [rd_kafka_vu_t](repeating: rd_kafka_vu_t(), count: 8)
        let eventType: StaticString = "transaction", schemaVersion: StaticString = "1"
        let started = Date()
        for (index, message) in messages.enumerated() {
            arguments[0].vtype = RD_KAFKA_VTYPE_RKT
            arguments[0].u.rkt = topicHandles[message.topic]
            arguments[1].vtype = RD_KAFKA_VTYPE_KEY
            arguments[1].u.mem = .init(ptr: UnsafeMutableRawPointer(mutating: payload.baseAddress! + message.key.lowerBound), size: message.key.count)
            arguments[2].vtype = RD_KAFKA_VTYPE_VALUE
            arguments[2].u.mem = .init(ptr: UnsafeMutableRawPointer(mutating: payload.baseAddress! + message.value.lowerBound), size: message.value.count)
            arguments[3].vtype = RD_KAFKA_VTYPE_TIMESTAMP
            arguments[3].u.i64 = message.timestampMilliseconds
            arguments[4].vtype = RD_KAFKA_VTYPE_HEADER
            arguments[4].u.header = .init(name: headerEventType, val: UnsafeRawPointer(eventType.utf8Start), size: eventType.utf8CodeUnitCount)
            arguments[5].vtype = RD_KAFKA_VTYPE_HEADER
            arguments[5].u.header = .init(name: headerSchemaVersion, val: UnsafeRawPointer(schemaVersion.utf8Start), size: schemaVersion.utf8CodeUnitCount)
            arguments[6].vtype = RD_KAFKA_VTYPE_MSGFLAGS
            arguments[6].u.i = RD_KAFKA_MSG_F_COPY
            arguments[7].vtype = RD_KAFKA_VTYPE_OPAQUE
            arguments[7].u.ptr = UnsafeMutableRawPointer(bitPattern: message.topic + 1)
            while let failure = rd_kafka_produceva(handle, arguments, arguments.count) {
                let code = rd_kafka_error_code(failure)
                rd_kafka_error_destroy(failure)
                guard code == RD_KAFKA_RESP_ERR__QUEUE_FULL else { throw KafkaError("baseline produce failed: \(String(cString: rd_kafka_err2str(code)))") }
                rd_kafka_poll(handle, 10)
            }
            if index % 1_000 == 0 { rd_kafka_poll(handle, 0) }
        }
        guard rd_kafka_flush(handle, 120_000) == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError("baseline flush did not finish within 120 s")
        }
        return Date().timeIntervalSince(started)
    }

    nonisolated(unsafe) private static let headerEventType = UnsafePointer(strdup("event_type")!)
    nonisolated(unsafe) private static let headerSchemaVersion = UnsafePointer(strdup("schema_version")!)
}
