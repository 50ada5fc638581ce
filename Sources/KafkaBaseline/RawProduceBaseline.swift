import CRdKafka
import KafkaClient
import Records
import Foundation

/// The benchmark's ceiling for the Kafka path: pre-encoded messages produced straight through
/// librdkafka (`rd_kafka_produceva`, the same partitions, flags, headers and properties as `KafkaProducer`),
/// with nothing else in the loop.
public enum RawProduceBaseline {
    /// One pre-encoded message: its partition, and where its key, value and `replay_seq` header lie in the payload.
    public struct Message {
        public var topic: Int
        public var partition: Int32
        public var key: Range<Int>
        public var value: Range<Int>
        public var sequence: Range<Int>
        public var timestampMilliseconds: Int64

        public init(topic: Int, partition: Int32, key: Range<Int>, value: Range<Int>, sequence: Range<Int>, timestampMilliseconds: Int64) {
            self.topic = topic
            self.partition = partition
            self.key = key
            self.value = value
            self.sequence = sequence
            self.timestampMilliseconds = timestampMilliseconds
        }
    }

    /// Produces every message, waits until all are acknowledged and returns the seconds it took.
    public static func run(configuration: ProducerConfiguration, topics: [String], payload: UnsafeRawBufferPointer,
                           messages: [Message], runId: String) throws -> Double {
        let conf = try configuration.makeNativeConfiguration()
        rd_kafka_conf_set_log_cb(conf) { _, _, _, _ in }
        var error = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &error, error.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError("cannot create the baseline producer: \(String(cBuffer: error))")
        }
        defer { rd_kafka_destroy(handle) }
        let topicHandles = try topics.map { topic in
            guard let topicHandle = rd_kafka_topic_new(handle, topic, nil) else { throw KafkaError("invalid topic name '\(topic)'") }
            return topicHandle
        }
        defer { topicHandles.forEach { rd_kafka_topic_destroy($0) } }
        let arguments = ProduceArguments()
        let base = payload.baseAddress!
        let run = Array(runId.utf8)
        let started = Date()
        for (index, message) in messages.enumerated() {
            func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count) }
            run.withUnsafeBytes { run in
                arguments.fill(topic: topicHandles[message.topic], index: message.topic, partition: message.partition,
                               key: bytes(message.key), value: bytes(message.value), timestampMilliseconds: message.timestampMilliseconds,
                               headers: RecordHeaders(eventType: TransactionsStream.eventType, schemaVersion: EventStreams.transactions.schemaVersion,
                                                      run: run, sequence: bytes(message.sequence)))
            }
            while let failure = rd_kafka_produceva(handle, arguments.pointer, arguments.count) {
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
}
