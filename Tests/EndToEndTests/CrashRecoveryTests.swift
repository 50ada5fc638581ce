import DevelopmentBroker
import Foundation
import KafkaClient
import Testing

/// Crash-only runs on the real binary: killed with SIGKILL at any moment, the same command run
/// again finishes the job, exactly once in the files, in merchants.json and in Kafka (read back
/// over TCP with kcat from `replay broker`).
@Suite(.serialized) struct CrashRecoveryTests {
    /// One way to end a process early.
    enum Kill {
        /// SIGKILL from inside, the n-th time the run reaches a commit step (`REPLAY_KILL_AT`).
        case at(String)
        /// SIGKILL from the test as soon as the run reports a completed day (so, mid-file).
        case afterADay
    }

    let period = (start: "2024-02-01", end: "2024-02-10")
    let files = ["transactions_2024-02-01_2024-02-10.csv", "merchants_2024-02-01_2024-02-10.csv", "merchants.json"]

    func command(_ folder: TemporaryFolder, brokers: String) -> [String] {
        ["--initial", "--start-date", period.start, "--end-date", period.end, "--output-dir", folder.path,
         "--brokers", brokers, "--pace", "172800", "--debug"]
    }

    /// Runs `arguments` and kills it as `kill` says; the process must die by SIGKILL.
    func runKilled(_ arguments: [String], _ kill: Kill) throws {
        let child: ChildProcess
        switch kill {
        case let .at(step):
            child = try ReplayBinary.start(arguments, environment: ["REPLAY_KILL_AT": step])
        case .afterADay:
            // Slower (a simulated day in 5 s), so that the kill lands mid-file however busy the machine; the
            // pace is not part of the run, so it continues the same run.
            var slower = arguments
            if let pace = slower.firstIndex(of: "--pace") { slower[pace + 1] = "17280" }
            child = try ReplayBinary.start(slower)
            #expect(child.wait(for: "debug: 2024-02-", on: 1))
            child.signal(SIGKILL)
        }
        let result = child.finish()
        #expect(result.killedBySignal && result.status == SIGKILL, "\(kill): the run was not killed: \(result.stderr)")
    }

    @Test func aRunKilledAtAnyMomentAndRunAgainPublishesAndWritesEverythingExactlyOnce() throws {
        let broker = try StandaloneBroker()
        let folder = try TemporaryFolder(), reference = try TemporaryFolder()
        let arguments = command(folder, brokers: broker.address)
        let kills: [Kill] = [
            .at("slice-written:1"),          // the first day, before any checkpoint
            .at("sinks-durable:1"),          // Kafka acknowledged, merchants.json not yet written
            .at("committed:2"),
            .at("journal-appended:2"),       // a checkpoint's entry synced in merchants.journal
            .afterADay,                      // mid-file
            .at("sinks-durable:2"),
            .at("slice-written:7"),
            .afterADay,
            .at("committed:3"),
            .at("sinks-durable:3"),
            .afterADay,
            .at("slice-written:3"),
            .at("period-files-written:1"),   // the period's end: merchants file written, run not yet complete
        ]
        for kill in kills { try runKilled(arguments, kill) }
        let last = try ReplayBinary.run(arguments)
        #expect(last.status == 0, "\(last.stderr)")
        #expect(last.stderr.contains("continuing the unfinished run"))
        let again = try ReplayBinary.run(arguments)
        #expect(again.status == 0 && again.stderr.contains("already complete"), "\(again.stderr)")

        // The same bytes as an uninterrupted run (files only: a finished merchants.json is the simulation's state alone).
        #expect(try ReplayBinary.run(["--initial", "--start-date", period.start, "--end-date", period.end,
                                      "--output-dir", reference.path, "--brokers", "none"]).status == 0)
        for name in files { #expect(try folder.read(name) == reference.read(name), "\(name)") }

        // Every event exactly once in Kafka, with the fields of its row.
        try KafkaStreamTests().expectTransactionsMatch(folder, files[0], at: broker.address)
        let merchantRows = try folder.lines(files[1]).count - 1
        let events = try Kcat.consume("payments.merchants", from: broker.address)
        #expect(events.count == merchantRows)
        #expect(Set(events.map { "\($0.key) v\($0.value["version"]!)" }).count == merchantRows)
    }

    /// Days cut in many parts, most of their transactions waiting in the scratch file (`REPLAY_DAY_PARTS`
    /// of `replay-fault-injection`, as a day at a large scale is), killed within a day and run again:
    /// the same bytes as a run of whole days, and every event once in Kafka.
    @Test func daysInManyPartsKilledWithinADayAndRunAgainAreExact() throws {
        let broker = try StandaloneBroker()
        let folder = try TemporaryFolder(), reference = try TemporaryFolder()
        let smallParts = ["REPLAY_DAY_PARTS": "32768,700"]
        let days = ["--start-date", "2024-03-01", "--end-date", "2024-03-02"]
        let arguments = ["--initial"] + days + ["--output-dir", folder.path, "--brokers", broker.address, "--pace", "86400"]
        for step in ["slice-written:4", "sinks-durable:2", "slice-written:9", "committed:3", "slice-written:20"] {
            let result = try ReplayBinary.run(arguments, environment: smallParts.merging(["REPLAY_KILL_AT": step]) { $1 })
            #expect(result.killedBySignal && result.status == SIGKILL, "\(step): the run was not killed: \(result.stderr)")
        }
        let last = try ReplayBinary.run(arguments, environment: smallParts)
        #expect(last.status == 0 && last.stderr.contains("continuing the unfinished run"), "\(last.stderr)")

        #expect(try ReplayBinary.run(["--initial"] + days + ["--output-dir", reference.path, "--brokers", "none"]).status == 0)
        let files = ["transactions_2024-03-01_2024-03-02.csv", "merchants_2024-03-01_2024-03-02.csv", "merchants.json"]
        for name in files { #expect(try folder.read(name) == reference.read(name), "\(name)") }
        try KafkaStreamTests().expectTransactionsMatch(folder, files[0], at: broker.address)
    }

    @Test func aStopOnTheFirstDayResumesWithTheSameCommand() throws {
        let folder = try TemporaryFolder(), reference = try TemporaryFolder()
        let arguments = ["--initial", "--start-date", "2024-05-01", "--end-date", "2024-05-02", "--output-dir", folder.path,
                         "--brokers", "none", "--pace", "20000"]
        let child = try ReplayBinary.start(arguments)
        #expect(child.wait(for: "progress:", on: 1))
        child.signal(SIGINT)
        let stopped = child.finish()
        #expect(stopped.status == 75, "a stopped history exits 75: \(stopped.stderr)")
        #expect(stopped.stderr.contains("run the same command again"))
        let state = try JSONSerialization.jsonObject(with: folder.read("merchants.json")) as! [String: Any]
        #expect((state["partial_day"] as? [String: Any])?["date"] as? String == "2024-05-01")
        #expect(state["unfinished_run"] != nil)

        #expect(try ReplayBinary.run(arguments).status == 0)
        #expect(try ReplayBinary.run(["--initial", "--start-date", "2024-05-01", "--end-date", "2024-05-02",
                                      "--output-dir", reference.path, "--brokers", "none"]).status == 0)
        for name in ["transactions_2024-05-01_2024-05-02.csv", "merchants_2024-05-01_2024-05-02.csv", "merchants.json"] {
            #expect(try folder.read(name) == reference.read(name), "\(name)")
        }
    }

    /// `--incremental` of 2024-01-02 over a history of 2024-01-01 in `folder`, paced so that it checkpoints within the day.
    func incrementalSecondDay(in folder: TemporaryFolder, brokers: String) -> [String] {
        ["--incremental", "--date", "2024-01-02", "-f", "--output-dir", folder.path, "--brokers", brokers, "--pace", "28800", "--debug"]
    }

    /// 2024-01-01 and 2024-01-02 in one files-only run in `reference`: what an incremental second day must match.
    func writeOneShotReference(in reference: TemporaryFolder) throws {
        #expect(try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-02",
                                      "--output-dir", reference.path, "--brokers", "none"]).status == 0)
    }

    @Test func anIncrementalDayKilledAndRunAgainMatchesAOneShotRun() throws {
        let broker = try StandaloneBroker()
        let (folder, _) = try generatedHistory(through: "2024-01-01")
        let reference = try TemporaryFolder()
        let arguments = incrementalSecondDay(in: folder, brokers: broker.address)
        for step in ["sinks-durable:1", "slice-written:4", "period-files-written:1"] { try runKilled(arguments, .at(step)) }
        let result = try ReplayBinary.run(arguments)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try ReplayBinary.run(arguments).stderr.contains("already complete"))

        try writeOneShotReference(in: reference)
        #expect(try folder.read("merchants.json") == reference.read("merchants.json"))
        let dayTwo = try reference.lines("transactions_2024-01-01_2024-01-02.csv").filter { $0.contains(",2024-01-02T") }
        #expect(Array(try folder.lines("transactions_2024-01-02_2024-01-02.csv").dropFirst()) == dayTwo)
        try KafkaStreamTests().expectTransactionsMatch(folder, "transactions_2024-01-02_2024-01-02.csv", at: broker.address)
    }

    /// Killed right after a checkpoint's entry was synced in `merchants.journal` (the run's first
    /// checkpoint, then one within the day), then right after the run's last checkpoint put a whole
    /// `merchants.json` in place, before it removed the journal: the same command finds the run
    /// complete (the journal names the old snapshot, so it does not apply), the bytes are a one-shot
    /// run's, every event is in Kafka once, and `replay compact` removes the journal left behind.
    @Test func aRunKilledAfterAJournalAppendOrBeforeTheJournalIsRemovedFinishesExactly() throws {
        let broker = try StandaloneBroker()
        let (folder, history) = try generatedHistory(through: "2024-01-01")
        let reference = try TemporaryFolder()
        let arguments = incrementalSecondDay(in: folder, brokers: broker.address)
        for _ in 0..<2 {
            try runKilled(arguments, .at("journal-appended:1"))
            #expect(try folder.read("merchants.json") == history, "the checkpoints go to the journal")
            #expect(FileManager.default.fileExists(atPath: folder.file("merchants.journal")))
        }
        try runKilled(arguments, .at("snapshot-replaced:1"))
        #expect(try folder.read("merchants.json") != history)
        #expect(FileManager.default.fileExists(atPath: folder.file("merchants.journal")), "killed before the old journal was removed")
        let again = try ReplayBinary.run(arguments)
        #expect(again.status == 0 && again.stderr.contains("already complete"), "\(again.stderr)")
        let compacted = try ReplayBinary.run(["compact", "--output-dir", folder.path])
        #expect(compacted.status == 0 && compacted.stdout.hasPrefix("removed \(folder.file("merchants.journal"))"), "\(compacted.stdout)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("merchants.journal")))

        try writeOneShotReference(in: reference)
        #expect(try folder.read("merchants.json") == reference.read("merchants.json"))
        let dayTwo = try reference.lines("transactions_2024-01-01_2024-01-02.csv").filter { $0.contains(",2024-01-02T") }
        #expect(Array(try folder.lines("transactions_2024-01-02_2024-01-02.csv").dropFirst()) == dayTwo)
        try KafkaStreamTests().expectTransactionsMatch(folder, "transactions_2024-01-02_2024-01-02.csv", at: broker.address)
    }

    @Test func aBrokerOutageLongerThanTheMessageTimeoutFailsTheRunAndTheRerunCompletesExactlyOnce() throws {
        let broker = try EmbeddedBroker(topics: KafkaStreamTests.topics, partitions: 4)
        let folder = try TemporaryFolder()
        let arguments = ["--initial", "--start-date", "2024-03-04", "--end-date", "2024-03-06", "--debug", "--output-dir", folder.path,
                         "--brokers", broker.bootstrapServers, "--pace", "40000", "-X", "message.timeout.ms=2000"]
        let child = try ReplayBinary.start(arguments)
        #expect(child.wait(for: "debug: 2024-03-04:", on: 1))
        broker.setBroker(1, up: false)
        let failed = child.finish()
        #expect(failed.status == 1, "\(failed.stderr)")
        #expect(failed.stderrLines.last.map { $0.hasPrefix("replay: error: ") && $0.contains(broker.bootstrapServers) } == true,
                "\(failed.stderr)")
        broker.setBroker(1, up: true)
        let rerun = try ReplayBinary.run(arguments)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        try KafkaStreamTests().expectTransactionsMatch(folder, "transactions_2024-03-04_2024-03-06.csv", broker)
    }

    @Test func aRerunOnTopicsWithOtherPartitionCountsIsRefused() throws {
        let port = try KafkaStreamTests.freePort()
        let folder = try TemporaryFolder()
        var broker: StandaloneBroker? = try StandaloneBroker(port: port, partitions: 8)
        let arguments = command(folder, brokers: broker!.address)
        try runKilled(arguments, .at("committed:3"))
        broker = nil
        broker = try StandaloneBroker(port: port, partitions: 4)
        let before = try folder.state()
        let refused = try ReplayBinary.run(arguments)
        #expect(refused.status == 1 && refused.stderrLines.count == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("payments.transactions has 4 partitions, but the unfinished run started with 8 and 8"), "\(refused.stderr)")
        #expect(try folder.state() == before)
    }

    @Test func aSecondRunOnTheSameFolderIsRefusedNamingTheFirst() throws {
        let folder = try TemporaryFolder()
        let first = try ReplayBinary.start(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-02",
                                            "--output-dir", folder.path, "--brokers", "none", "--pace", "3600"])
        #expect(first.wait(for: "progress:", on: 1))
        let second = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-02",
                                           "--output-dir", folder.path, "--brokers", "none"])
        #expect(second.status != 0 && second.stderrLines.count == 1, "\(second.stderr)")
        #expect(second.stderr.contains("another replay (pid \(first.pid))"), "\(second.stderr)")
        first.signal(SIGINT)
        #expect(first.finish().status == 75)
    }
}

/// `replay broker --port P` in a process of its own: a broker that outlives the runs that use it.
final class StandaloneBroker {
    let address: String
    private let process: ChildProcess
    var pid: Int32 { process.pid }

    /// `port` nil: the broker binds any free port itself (a port picked here first could be taken
    /// by another process before the broker binds it).
    init(port: UInt16? = nil, partitions: Int = 8) throws {
        process = try ReplayBinary.start(["broker", "--partitions", String(partitions)] + (port.map { ["--port", String($0)] } ?? []))
        guard process.wait(for: "\n", on: 0), let line = process.text.stdout.split(separator: "\n").first,
              line.hasPrefix("bootstrap ") else { throw BrokerDidNotStart(output: process.text.stderr) }
        address = String(line.dropFirst("bootstrap ".count))
    }

    deinit {
        process.signal(SIGTERM)
        _ = process.finish()
    }

    struct BrokerDidNotStart: Error { let output: String }
}
