import DevelopmentBroker
import Foundation
import KafkaClient
import Testing

/// The embedded broker keeps only ~5 MiB of each partition: its default partition count holds a
/// 90-day replay, and a run that sends a broker more than it keeps is warned, with the figures.
@Suite struct BrokerRetentionTests {
    /// Records in `topic`, read from the beginning with kcat.
    func recordCount(_ topic: String, at brokers: String) throws -> Int {
        let result = try ChildProcess("/usr/bin/kcat", ["-C", "-b", brokers, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%o\n"]).finish()
        guard result.status == 0 else { throw Kcat.KcatFailed(message: result.stderr) }
        return result.stdout.split(separator: "\n").count
    }

    func run(days: (String, String), to broker: StandaloneBroker) throws -> (ChildProcess.Result, rows: Int) {
        let folder = try TemporaryFolder()
        let result = try ReplayBinary.run(["--initial", "--start-date", days.0, "--end-date", days.1, "--output-dir", folder.path,
                                           "--brokers", broker.address])
        return (result, try folder.lines("transactions_\(days.0)_\(days.1).csv").count - 1)
    }

    /// Every topic gets the broker's partition count, not only the two it creates at start: a run
    /// into topics of other names can be split in as many shards.
    @Test func everyTopicAClientAsksForGetsTheBrokersPartitionCount() throws {
        let broker = try StandaloneBroker(partitions: 8)
        let listed = try ChildProcess("/usr/bin/kcat", ["-L", "-b", broker.address, "-t", "other.topic"]).finish()
        #expect(listed.stdout.contains("topic \"other.topic\" with 8 partitions"), "\(listed.stdout)")
        let folder = try TemporaryFolder()
        let shard = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-01", "--output-dir", folder.path,
                                          "--brokers", broker.address, "--topic-merchants", "mine.m", "--topic-transactions", "mine.t",
                                          "--shard", "0/8"])
        #expect(shard.status == 0, "\(shard.stderr)")
        let records = try Kcat.consume("mine.t", from: broker.address)
        #expect(!records.isEmpty && records.allSatisfy { $0.partition == 0 })
    }

    /// Clients that connect and leave at once (port probes) leave nothing open in the broker.
    @Test func connectionsThatLeaveAtOnceLeaveNothingOpen() throws {
        let broker = try StandaloneBroker(partitions: 2)
        func descriptors() throws -> Int { try FileManager.default.contentsOfDirectory(atPath: "/proc/\(broker.pid)/fd").count }
        let port = String(broker.address.split(separator: ":").last!)
        let probe = "import socket\nfor _ in range(300):\n    socket.create_connection(('127.0.0.1', \(port))).close()\n"
        #expect(try ChildProcess("/usr/bin/env", ["python3", "-c", probe]).finish().status == 0)
        let before = try descriptors()
        #expect(try ChildProcess("/usr/bin/env", ["python3", "-c", probe]).finish().status == 0)
        let listed = try ChildProcess("/usr/bin/kcat", ["-L", "-b", broker.address]).finish()
        #expect(listed.status == 0)
        // Every connection is closed once its peer is; on a loaded machine the broker's threads may take a
        // while to see the last few hang-ups, so the count is read until it settles (a leak never does).
        let deadline = Date().addingTimeInterval(30)
        var open = try descriptors()
        while open >= before + 20 && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)  // a polling interval, to leave the broker the CPU it needs
            open = try descriptors()
        }
        #expect(open < before + 20, "the broker kept \(open - before) connections of clients that left")
    }

    @Test func aRunThatOverflowsAPartitionIsWarnedWithTheFiguresAndTheRemedy() throws {
        let broker = try StandaloneBroker(partitions: 1)
        let (result, rows) = try run(days: ("2024-01-01", "2024-01-10"), to: broker)
        #expect(result.status == 0, "\(result.stderr)")
        let warnings = result.stderrLines.filter { $0.hasPrefix("warning: payments.transactions: the broker no longer holds ") }
        let last = try #require(warnings.last, "\(result.stderr)")
        let figures = last.matches(of: /\d[\d,]*/).compactMap { Int($0.output.filter(\.isNumber)) }
        try #require(figures.count >= 3, "\(last)")
        let kept = try recordCount("payments.transactions", at: broker.address)
        #expect(kept < rows)
        #expect(Array(figures.prefix(2)) == [rows - kept, rows], "\(last)")
        #expect(last.hasSuffix("(its retention dropped them): with replay broker, give the topics more partitions (--partitions \(figures[2])); "
                + "on a real cluster, a longer retention (retention.ms/retention.bytes) or more partitions"), "\(last)")
        #expect(figures[2] > 1)
        #expect(!result.stderr.contains("warning: payments.merchants"), "\(result.stderr)")
    }

    @Test func theDefaultPartitionCountHoldsANinetyDayReplay() throws {
        let broker = try StandaloneBroker(partitions: EmbeddedBroker.defaultPartitionCount)
        let (result, rows) = try run(days: ("2024-01-01", "2024-03-30"), to: broker)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("warning:"), "\(result.stderr)")
        #expect(rows == 731_901)
        #expect(try recordCount("payments.transactions", at: broker.address) == rows)
    }
}
