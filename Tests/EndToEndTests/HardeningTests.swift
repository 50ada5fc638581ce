import Foundation
import Testing
import Checkpoints

/// What a new user broke, tried again on the real binary: days before 1970, a time zone that
/// silently switched, messages that said the wrong thing, settings that undo exactly-once.
@Suite struct HardeningTests {
    @Test func daysBefore1970RunFilesOnlyAndAreRefusedWithKafkaBeforeAnythingIsWritten() throws {
        let folder = try TemporaryFolder()
        let arguments = ["--initial", "--start-date", "1969-12-31", "--end-date", "1970-01-01", "--output-dir", folder.path]
        let files = try ReplayBinary.run(arguments + ["--brokers", "none"])
        #expect(files.status == 0, "\(files.stderr)")
        let rows = try folder.lines("transactions_1969-12-31_1970-01-01.csv")
        #expect(rows.count > 1000 && rows[1].contains(",1969-12-31T"))
        #expect(try ReplayBinary.run(arguments + ["--brokers", "none"]).stderr.contains("already complete"))

        let kafka = try TemporaryFolder()
        let refused = try ReplayBinary.run(["--initial", "--start-date", "1969-12-31", "--end-date", "1970-01-01",
                                            "--output-dir", kafka.path, "--brokers", "127.0.0.1:1"])
        #expect(refused.status == 1 && refused.stderrLines.count == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("before 1970-01-01T00:00:00Z, which a Kafka timestamp cannot show"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: kafka.file("merchants.json")))
    }

    /// An incremental day without `--timezone` continues in the zone of the history: the same
    /// `replay_run`, Kafka timestamps that are New York's instants, and it says so.
    @Test func anIncrementalDayKeepsTheHistorysTimeZone() throws {
        let broker = try StandaloneBroker(partitions: 4)
        let folder = try TemporaryFolder()
        let history = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-01", "--timezone",
                                            "America/New_York", "--output-dir", folder.path, "--brokers", broker.address])
        #expect(history.status == 0, "\(history.stderr)")
        let day = try ReplayBinary.run(["--incremental", "--date", "2024-01-02", "-f", "--output-dir", folder.path, "--brokers", broker.address])
        #expect(day.status == 0, "\(day.stderr)")
        #expect(day.stderr.contains("time zone America/New_York, as saved in"), "\(day.stderr)")
        let other = try ReplayBinary.run(["--incremental", "--date", "2024-01-03", "-f", "--timezone", "UTC", "--output-dir", folder.path,
                                          "--brokers", broker.address])
        #expect(other.status == 1 && other.stderr.contains("--timezone UTC differs from the time zone America/New_York"), "\(other.stderr)")

        let records = try Kcat.consume("payments.transactions", from: broker.address)
        let runs = Set(records.compactMap { $0.headers.split(separator: ",").first { $0.hasPrefix("replay_run=") } })
        #expect(runs.count == 1)
        let rows = CSVTable(try folder.lines("transactions_2024-01-02_2024-01-02.csv")).rows
        let byId = Dictionary(uniqueKeysWithValues: records.map { ($0.value["payment_id"] as! String, $0) })
        #expect(records.count == rows.count + (try folder.lines("transactions_2024-01-01_2024-01-01.csv").count - 1))
        for row in rows.prefix(500) {
            // January in New York is UTC-5.
            #expect(byId[row["payment_id"]!]?.timestamp == utcMilliseconds(row["payment_timestamp"]!) + 5 * 3_600_000)
        }
    }

    @Test(arguments: [
        (["--pace", "-1"], "'-1' is not a pace"),
        (["--pace", "0.0000001"], "not a pace"),
        (["--seed", "-1"], "'-1' is not a seed"),
        (["--scale", "1e-9"], "--scale must be from 0.02"),
        (["--scale", "-2"], "--scale must be from 0.02"),
        (["--late-fraction", "-0.5"], "--late-fraction must be a share between 0 and 1"),
        (["--metrics-port", "-1"], "--metrics-port must be from 0 to 65535"),
        (["--strat-date", "2024-01-01"], "Unknown option '--strat-date'"),
    ])
    func aBadNumberOrOptionIsNamedForWhatItIs(extra: [String], phrase: String) throws {
        let folder = try TemporaryFolder()
        let result = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-02",
                                           "--output-dir", folder.path, "--brokers", "none"] + extra)
        #expect(result.status != 0 && result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("replay: error: ") && result.stderr.contains(phrase), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("merchants.json")))
    }

    @Test func aFolderUnderARegularFileIsNamedInPlainWords() throws {
        let folder = try TemporaryFolder()
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder.file("plain")))
        let result = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-02",
                                           "--output-dir", folder.file("plain") + "/data", "--brokers", "none"])
        #expect(result.status != 0 && result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("\(folder.file("plain")) is a file, not a folder") && !result.stderr.contains("NSCocoaErrorDomain"),
                "\(result.stderr)")
    }

    /// Fault injection is compiled only into `replay-fault-injection`: the shipped binary runs to
    /// the end with `REPLAY_KILL_AT` set, even a malformed one.
    @Test(arguments: ["committed:1", "bogus"])
    func theShippedBinaryHasNoFaultInjection(killAt: String) throws {
        let folder = try TemporaryFolder()
        let result = try ChildProcess(ReplayBinary.path, ["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-02",
                                                          "--output-dir", folder.path, "--brokers", "none"],
                                      environment: ["REPLAY_KILL_AT": killAt]).finish()
        #expect(!result.killedBySignal && result.status == 0, "\(result.stderr)")
        #expect(try StateSnapshot(folder: folder.path).load().unfinishedRun == nil)
    }

    @Test func anIncrementalDayWithForceOverAnUnfinishedHistorySaysWhatForceWouldNotDo() throws {
        let folder = try TemporaryFolder()
        let killed = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-03", "--output-dir", folder.path,
                                           "--brokers", "none"], environment: ["REPLAY_KILL_AT": "committed:1"])
        #expect(killed.killedBySignal)
        let before = try folder.state()
        let result = try ReplayBinary.run(["--incremental", "--date", "2024-01-04", "-f", "--output-dir", folder.path, "--brokers", "none"])
        #expect(result.status == 1 && result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("only --initial … -f starts an unfinished history over") && !result.stderr.contains("or pass -f"),
                "\(result.stderr)")
        #expect(try folder.state() == before)
    }

    @Test(arguments: [
        ("enable.idempotence=false", "needs enable.idempotence=true"),
        ("acks=1", "needs acks=all"),
        ("request.required.acks=0", "needs acks=all"),
        ("max.in.flight=10", "at most 5 requests in flight"),
        ("retries=0", "retries (at least 1)"),
        ("transactional.id=replay", "no transactional.id"),
    ])
    func aSettingThatBreaksExactlyOnceIsRefused(setting: String, phrase: String) throws {
        let arguments = ["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-02", "--brokers", "127.0.0.1:9092", "--check-config"]
        let flag = try ReplayBinary.run(arguments + ["-X", setting])
        #expect(flag.status == 1 && flag.stderrLines.count == 1, "\(flag.stderr)")
        #expect(flag.stderr.contains("-X \(setting)") && flag.stderr.contains(phrase), "\(flag.stderr)")
        let folder = try TemporaryFolder()
        try Data("client.id=test\n\(setting)\n".utf8).write(to: URL(fileURLWithPath: folder.file("kafka.properties")))
        let file = try ReplayBinary.run(arguments + ["--kafka-config", folder.file("kafka.properties")])
        #expect(file.status == 1 && file.stderr.contains("kafka.properties line 2: \(setting)") && file.stderr.contains(phrase), "\(file.stderr)")
    }
}
