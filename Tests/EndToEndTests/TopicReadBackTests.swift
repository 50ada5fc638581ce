import DevelopmentBroker
import Foundation
import KafkaClient
import Testing

/// A run's newest mark per partition is read back from records that kcat, a real producer, wrote.
@Suite(.serialized) struct TopicReadBackTests {
    /// Produces `count` records of `run` marked `mark` to partition `partition` of T.
    func produce(to partition: Int, run: String, mark: String, count: Int = 1, on broker: EmbeddedBroker) throws {
        try Kcat.produce(Array(repeating: "{}", count: count), to: "T", at: broker.bootstrapServers,
                         options: ["-p", String(partition), "-H", "replay_run=\(run)", "-H", "replay_seq=\(mark)"])
    }

    @Test func findsTheNewestRecordOfTheRunInEveryPartition() throws {
        let broker = try EmbeddedBroker(topics: ["T"], partitions: 4)
        defer { broker.shutDown() }
        // 0: other runs only (one whose id starts with ours) and a record without headers.
        try produce(to: 0, run: "xyz", mark: "x1", on: broker)
        try produce(to: 0, run: "abcd", mark: "d1", on: broker)
        try Kcat.produce(["{}"], to: "T", at: broker.bootstrapServers, options: ["-p", "0"])
        // 1: ours, then 20 of another run: found only after widening twice (1, 16, then the rest).
        for seq in 1...5 { try produce(to: 1, run: "abc", mark: "2024-01-02/\(seq)", on: broker) }
        try produce(to: 1, run: "xyz", mark: "x2", count: 20, on: broker)
        // 2: empty. 3: ours only.
        for seq in 1...3 { try produce(to: 3, run: "abc", mark: "2024-01-03/\(seq)", on: broker) }

        // What a caller passes: the producer's properties, producer-only ones included.
        let configuration = try ProducerConfiguration(bootstrapServers: broker.bootstrapServers,
                                                      overrides: ["security.protocol=plaintext"])
        let marks = try TopicReadBack.newestMarks(configuration: configuration,
                                                  topic: "T", partitionCount: 4, runHeader: "replay_run", run: "abc",
                                                  markHeader: "replay_seq")
        #expect(marks.newest.map { $0?.mark } == [nil, "2024-01-02/5", nil, "2024-01-03/3"])
        #expect(marks.endOffsets[2] == 0 && marks.endOffsets[3] == 3)
        // Read whole, a partition gives every record of the run, oldest first.
        var all: [Int: [String]] = [:]
        try TopicReadBack.forEachRecord(configuration: configuration, topic: "T", partitions: [1, 2], runHeader: "replay_run", run: "abc",
                                        markHeader: "replay_seq") { all[$0, default: []].append($1.mark) }
        #expect(all[1] == (1...5).map { "2024-01-02/\($0)" } && all[2] == nil)
        // The record at a given offset: partition 3's second record, and nothing of the run at partition 1's other run's records.
        let at = try TopicReadBack.records(configuration: configuration, topic: "T", at: [(3, 1), (1, 6)], runHeader: "replay_run", run: "abc",
                                           markHeader: "replay_seq")
        #expect(at[3]?.mark == "2024-01-03/2" && at[3]?.offset == 1 && at[1] == nil)
    }

    @Test func anUnreachableClusterFailsWithinTheTimeoutInOneLine() throws {
        let started = Date()
        let error = #expect(throws: KafkaError.self) {
            try TopicReadBack.newestMarks(configuration: try ProducerConfiguration(bootstrapServers: "127.0.0.1:1", overrides: []),
                                          topic: "payments.transactions",
                                          partitionCount: 8, runHeader: "replay_run", run: "abc", markHeader: "replay_seq",
                                          timeout: 2)
        }
        #expect(Date().timeIntervalSince(started) < 4)
        let description = error?.description ?? ""
        #expect(!description.contains("\n") && description.contains("127.0.0.1:1") && description.contains("payments.transactions"),
                "\(description)")
    }
}
