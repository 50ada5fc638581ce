import Foundation
import Testing

/// What a run publishes stays exactly once even when the cluster or another process misbehaves:
/// a broker that comes back empty fails the run and the same command publishes what is missing;
/// a second process publishing the same simulation into the same topics is caught; records of
/// other producers among the run's own are not mistaken for it. On the real binary, against
/// `replay broker` over TCP, read back with kcat.
@Suite(.serialized) struct PublicationIntegrityTests {
    let period = (start: "2024-01-01", end: "2024-01-03")
    var transactionsFile: String { "transactions_\(period.start)_\(period.end).csv" }
    var merchantsFile: String { "merchants_\(period.start)_\(period.end).csv" }

    func command(_ folder: TemporaryFolder, _ brokers: String, pace: String) -> [String] {
        ["--initial", "--start-date", period.start, "--end-date", period.end, "--output-dir", folder.path, "--brokers", brokers,
         "--pace", pace, "--debug"]
    }

    /// Every transaction row exactly once in the topic, and every merchant row once in its topic.
    func expectEverythingOnce(_ folder: TemporaryFolder, at brokers: String) throws {
        try KafkaStreamTests().expectTransactionsMatch(folder, transactionsFile, at: brokers)
        let merchantRows = try folder.lines(merchantsFile).count - 1
        let events = try Kcat.consume("payments.merchants", from: brokers)
        #expect(events.count == merchantRows)
        #expect(Set(events.map { "\($0.key) v\($0.value["version"]!)" }).count == merchantRows)
    }

    /// Also with days cut in many parts (`REPLAY_DAY_PARTS` of `replay-fault-injection`), as a large day is:
    /// the days published again go out in parts too.
    @Test(arguments: [[:], ["REPLAY_DAY_PARTS": "32768,700"]])
    func aBrokerThatComesBackEmptyFailsTheRunAndTheSameCommandPublishesWhatIsMissing(parts: [String: String]) throws {
        let port = try KafkaStreamTests.freePort()
        var broker: StandaloneBroker? = try StandaloneBroker(port: port)
        let folder = try TemporaryFolder()
        // Slowly (a simulated day in 10 s), so that the broker goes away long before the run ends however busy the
        // machine; the runs after it at full speed (the pace is not part of the run).
        let child = try ReplayBinary.start(command(folder, broker!.address, pace: "8640"), environment: parts)
        let arguments = command(folder, broker!.address, pace: "max")
        #expect(child.wait(for: "debug: 2024-01-01", on: 1))
        broker = nil
        broker = try StandaloneBroker(port: port)
        let failed = child.finish()
        #expect(failed.status == 1, "\(failed.stderr)")
        let last = failed.stderrLines.last.map(String.init) ?? ""
        #expect(last.hasPrefix("replay: error: ") && last.contains("run the same command again to publish what is missing"), "\(failed.stderr)")

        // Killed right after publishing the missing records again, before its first checkpoint: the next run finds them there.
        let killed = try ReplayBinary.run(arguments, environment: parts.merging(["REPLAY_KILL_AT": "slice-written:1"]) { $1 })
        #expect(killed.killedBySignal, "\(killed.stderr)")
        #expect(killed.stderr.contains("Kafka lost records of this run"), "\(killed.stderr)")
        let rerun = try ReplayBinary.run(arguments, environment: parts)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        try expectEverythingOnce(folder, at: broker!.address)
    }

    /// The same cluster, its log emptied and filled again (a volume lost under a fixed cluster id):
    /// the record the checkpoint names is no longer at its offset. Shown by moving that offset in
    /// merchants.json: the partition is read whole, nothing it holds is published twice.
    @Test func aRecordThatIsNoLongerAtItsOffsetHasItsPartitionReadWhole() throws {
        let broker = try StandaloneBroker(partitions: 4)
        let folder = try TemporaryFolder()
        // Paced: checkpoints at each day's end, so the third commit leaves the run unfinished.
        let arguments = command(folder, broker.address, pace: "172800")
        #expect(try ReplayBinary.run(arguments, environment: ["REPLAY_KILL_AT": "committed:3"]).killedBySignal)
        // The last checkpoints may be in merchants.journal: fold them into merchants.json before editing it.
        let compacted = try ReplayBinary.run(["compact", "--output-dir", folder.path])
        #expect(compacted.status == 0, "\(compacted.stderr)")
        var state = try JSONSerialization.jsonObject(with: folder.read("merchants.json")) as! [String: Any]
        var run = state["unfinished_run"] as! [String: Any]
        var kafka = run["kafka"] as! [String: Any]
        var publication = try #require(kafka["publication"] as? [String: Any], "no publication in \(run)")
        var offsets = publication["offsets"] as! [[Any]]
        let partition = try #require(offsets[1].firstIndex { ($0 as? Int ?? 0) > 0 })
        offsets[1][partition] = 0
        publication["offsets"] = offsets
        kafka["publication"] = publication
        run["kafka"] = kafka
        state["unfinished_run"] = run
        try JSONSerialization.data(withJSONObject: state).write(to: URL(fileURLWithPath: folder.file("merchants.json")))
        let rerun = try ReplayBinary.run(arguments)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("Kafka lost records of this run: payments.transactions (1 of 4 partitions)"), "\(rerun.stderr)")
        try expectEverythingOnce(folder, at: broker.address)
    }

    /// Retention (here the broker's 5 MiB a partition, filled by another simulation) removed every
    /// record the checkpoint names: that is not a loss, and nothing is published again.
    @Test func recordsRemovedByRetentionAreNotPublishedAgain() throws {
        let broker = try StandaloneBroker(partitions: 1)
        let folder = try TemporaryFolder(), other = try TemporaryFolder()
        let arguments = command(folder, broker.address, pace: "172800")
        #expect(try ReplayBinary.run(arguments, environment: ["REPLAY_KILL_AT": "committed:3"]).killedBySignal)
        let flood = try ReplayBinary.run(["--initial", "--start-date", "2024-02-01", "--end-date", "2024-02-10", "--seed", "9",
                                          "--output-dir", other.path, "--brokers", broker.address])
        #expect(flood.status == 0 && flood.stderr.contains("the broker no longer holds"), "\(flood.stderr)")
        let rerun = try ReplayBinary.run(arguments)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(!rerun.stderr.contains("Kafka lost records"), "\(rerun.stderr)")
    }

    @Test func twoRunsOfOneSimulationIntoTheSameTopicsAreCaught() throws {
        let broker = try StandaloneBroker()
        let first = try TemporaryFolder(), second = try TemporaryFolder()
        let paced = try ReplayBinary.start(command(first, broker.address, pace: "20000"))
        #expect(paced.wait(for: "debug: 2024-01-01", on: 1))
        let fast = try ReplayBinary.run(command(second, broker.address, pace: "max"))
        let slow = paced.finish()
        let phrase = "another process is publishing this simulation"
        let caught = [fast, slow].filter { $0.status == 1 && $0.stderrLines.last?.contains(phrase) == true }
        let tails = [fast, slow].map { "exit \($0.status): " + $0.stderrLines.suffix(4).joined(separator: " | ") }
        #expect(!caught.isEmpty, "neither run noticed the other: \(tails)")
        #expect([fast, slow].allSatisfy { $0.status == 1 || $0.status == 0 })
    }

    @Test func recordsOfOtherProducersAmongTheRunsOwnAreNotMistakenForAnotherRun() throws {
        let broker = try StandaloneBroker(partitions: 2)
        let folder = try TemporaryFolder()
        let child = try ReplayBinary.start(command(folder, broker.address, pace: "20000"))
        #expect(child.wait(for: "debug: 2024-01-01", on: 1))
        for partition in 0..<2 {
            try Kcat.produce((0..<20).map { "other-\($0)" }, to: "payments.transactions", at: broker.address, options: ["-p", String(partition)])
        }
        let result = child.finish()
        #expect(result.status == 0, "\(result.stderr)")
        let records = try Kcat.values("payments.transactions", from: broker.address)
        #expect(records.filter { $0.hasPrefix("other-") }.count == 40)
        #expect(records.filter { !$0.hasPrefix("other-") }.count == (try folder.lines(transactionsFile).count - 1))
    }
}

