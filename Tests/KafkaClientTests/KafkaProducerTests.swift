import DevelopmentBroker
import Dispatch
import Foundation
import KafkaClient
import Synchronization
import Testing

/// The producer against librdkafka's mock cluster in this process, over loopback TCP.
@Suite struct KafkaProducerTests {
    /// Queues `count` small records for partition 0 of topic 0.
    func produce(_ count: Int, to producer: KafkaProducer) throws {
        let run = Array("run".utf8), sequence = Array("0".utf8), key = Array("M000001".utf8), value = Array("{}".utf8)
        try run.withUnsafeBytes { run in
            try sequence.withUnsafeBytes { sequence in
                try key.withUnsafeBytes { key in
                    try value.withUnsafeBytes { value in
                        for _ in 0..<count {
                            try producer.produce(topic: 0, partition: 0, key: key, value: value, timestampMilliseconds: 1_700_000_000_000,
                                                 headers: RecordHeaders(eventType: "test", schemaVersion: "1", run: run, sequence: sequence))
                        }
                    }
                }
            }
        }
    }

    @Test func everyQueuedRecordIsAcknowledged() throws {
        let broker = try EmbeddedBroker(topics: ["t"], partitions: 2)
        defer { broker.shutDown() }
        let producer = try KafkaProducer(configuration: try ProducerConfiguration(bootstrapServers: broker.bootstrapServers, overrides: []),
                                         topics: ["t"])
        try produce(1_000, to: producer)
        try producer.awaitAcknowledgements()
        #expect(producer.queueDepth == 0)
        producer.shutDown(flushTimeout: 1)
        #expect(producer.queueDepth == 0, "a producer shut down answers too")
    }

    /// `/metrics` reads the queue's depth while a run's last flush waits for a broker that is
    /// down: the flush holds no lock the reader needs.
    @Test func theQueueDepthAnswersWhileAShutDownFlushes() throws {
        let broker = try EmbeddedBroker(topics: ["t"], partitions: 1)
        defer { broker.shutDown() }
        let producer = try KafkaProducer(configuration: try ProducerConfiguration(bootstrapServers: broker.bootstrapServers, overrides: []),
                                         topics: ["t"])
        broker.setBroker(1, up: false)
        try produce(100, to: producer)
        let flushSeconds = 3.0
        let finished = Atomic(false)
        let shutDownDone = DispatchSemaphore(value: 0)
        let started = Date()
        Thread.detachNewThread {
            producer.shutDown(flushTimeout: flushSeconds)
            finished.store(true, ordering: .releasing)
            shutDownDone.signal()
        }
        var slowest = 0.0, readsWhileFlushing = 0
        while !finished.load(ordering: .acquiring) {
            let before = Date()
            let depth = producer.queueDepth
            slowest = max(slowest, Date().timeIntervalSince(before))
            if !finished.load(ordering: .acquiring) && depth > 0 { readsWhileFlushing += 1 }
            _ = shutDownDone.wait(timeout: .now() + .milliseconds(50))
        }
        #expect(Date().timeIntervalSince(started) >= flushSeconds * 0.9, "the flush waited for the broker that is down")
        #expect(readsWhileFlushing > 0)
        #expect(slowest < 1, "each read answered within a second (slowest \(slowest) s)")
    }
}
