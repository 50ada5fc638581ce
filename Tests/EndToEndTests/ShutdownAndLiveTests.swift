import Foundation
import Testing

/// Signals, resuming and the live feed, on the real binary.
@Suite struct ShutdownAndLiveTests {
    func rows(_ folder: TemporaryFolder, _ names: [String]) throws -> [Substring] {
        try names.flatMap { try folder.lines($0).dropFirst() }
    }

    @Test func aSignalLeavesWholeLinesAndTheSameCommandFinishesTheRunExactly() throws {
        let interrupted = try TemporaryFolder(), whole = try TemporaryFolder()
        let arguments = ["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-03", "--debug",
                         "--output-dir", interrupted.path, "--brokers", "none", "--pace", "20000"]
        let child = try ReplayBinary.start(arguments)
        #expect(child.wait(for: "debug: 2024-01-01:", on: 1))   // day 1 done: day 2 is under way
        child.signal(SIGINT)
        let stopped = child.finish()
        #expect(stopped.status == 75, "a stopped history exits 75 (run it again): \(stopped.stderr)")
        #expect(stopped.stderr.contains("stopped: run the same command again to continue"))

        let partialFile = "transactions_2024-01-01_2024-01-03.csv"
        let text = String(decoding: try interrupted.read(partialFile), as: UTF8.self)
        #expect(text.hasSuffix("\n") && text.split(separator: "\n").allSatisfy { $0.split(separator: ",").count == 18 })
        #expect(!FileManager.default.fileExists(atPath: interrupted.file("merchants_2024-01-01_2024-01-03.csv")))
        let state = try JSONSerialization.jsonObject(with: interrupted.read("merchants.json")) as! [String: Any]
        #expect(state["last_generated_date"] as? String == "2024-01-01")
        let partial = state["partial_day"] as? [String: Any]
        #expect(partial?["date"] as? String == "2024-01-02")
        let dayTwoRows = text.split(separator: "\n").filter { $0.contains(",2024-01-02T") }.count
        #expect(partial?["transactions_delivered"] as? Int == dayTwoRows)
        let run = state["unfinished_run"] as? [String: Any]
        #expect((run?["files"] as? [String: Int])?[partialFile] == text.utf8.count)

        let resumed = try ReplayBinary.run(Array(arguments.dropLast(2)))  // the same command, at full speed
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-03",
                                      "--output-dir", whole.path, "--brokers", "none"]).status == 0)
        for name in [partialFile, "merchants_2024-01-01_2024-01-03.csv", "merchants.json"] {
            #expect(try interrupted.read(name) == whole.read(name), "\(name)")
        }
    }

    @Test func aStoppedIncrementalDayResumesIntoTheSameFile() throws {
        let folder = try TemporaryFolder(), whole = try TemporaryFolder()
        #expect(try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-01",
                                      "--output-dir", folder.path, "--brokers", "none"]).status == 0)
        let child = try ReplayBinary.start(["--incremental", "--date", "2024-01-02", "-f", "--output-dir", folder.path,
                                            "--brokers", "none", "--pace", "20000"])
        #expect(child.wait(for: "progress:", on: 1))
        child.signal(SIGTERM)
        #expect(child.finish().status == 75)
        let resumed = try ReplayBinary.run(["--incremental", "--date", "2024-01-02", "-f", "--output-dir", folder.path, "--brokers", "none"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-02",
                                      "--output-dir", whole.path, "--brokers", "none"]).status == 0)
        let expected = try whole.lines("transactions_2024-01-01_2024-01-02.csv").filter { $0.contains(",2024-01-02T") }
        let daily = try folder.lines("transactions_2024-01-02_2024-01-02.csv")
        #expect(daily.first.map { $0.hasPrefix("payment_id,") } == true)
        #expect(Array(daily.dropFirst()) == expected)
    }

    @Test func samesSeedGivesTheSameBytesAtAnyPace() throws {
        let fastest = try TemporaryFolder(), paced = try TemporaryFolder()
        for (folder, pace) in [(fastest, "max"), (paced, "100000")] {
            let result = try ReplayBinary.run(["--initial", "--start-date", "2024-07-04", "--end-date", "2024-07-04",
                                               "--output-dir", folder.path, "--brokers", "none", "--pace", pace])
            #expect(result.status == 0, "\(result.stderr)")
        }
        for name in ["transactions_2024-07-04_2024-07-04.csv", "merchants_2024-07-04_2024-07-04.csv", "merchants.json"] {
            #expect(try fastest.read(name) == paced.read(name), "\(name)")
        }
    }

    @Test func theLiveFeedRollsOverMidnightIntoDailyFilesThatMatchAReplay() throws {
        let live = try TemporaryFolder(), replayed = try TemporaryFolder()
        // One simulated day per wall second.
        let child = try ReplayBinary.start(["--realtime", "--pace", "86400", "--debug", "--seed", "5",
                                            "--output-dir", live.path, "--brokers", "none"])
        #expect(child.wait(for: "debug: ", on: 1))
        let firstDay = String(child.text.stderr.split(separator: "\n").first { $0.hasPrefix("debug: ") }!.dropFirst(7).prefix(10))
        let second = String(describing: Self.day(after: firstDay))
        #expect(child.wait(for: "debug: \(second):", on: 1))  // rolled over midnight twice
        child.signal(SIGTERM)
        let result = child.finish()
        #expect(result.status == 0, "\(result.stderr)")

        #expect(try ReplayBinary.run(["--initial", "--start-date", firstDay, "--end-date", second, "--seed", "5",
                                      "--output-dir", replayed.path, "--brokers", "none"]).status == 0)
        let oneShot = try replayed.lines("transactions_\(firstDay)_\(second).csv")
        for day in [firstDay, second] {
            let daily = try live.lines("transactions_\(day)_\(day).csv")
            #expect(Array(daily.dropFirst()) == oneShot.filter { $0.split(separator: ",")[1].hasPrefix(day) }, "\(day)")
            #expect(FileManager.default.fileExists(atPath: live.file("merchants_\(day)_\(day).csv")))
        }
        let state = try JSONSerialization.jsonObject(with: live.read("merchants.json")) as! [String: Any]
        #expect((state["last_generated_date"] as! String) >= second)
    }

    static func day(after text: String) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: formatter.date(from: text)!.addingTimeInterval(86_400))
    }
}
