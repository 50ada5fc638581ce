import Foundation
import Testing

/// `replay compact`: folds the checkpoints a killed run left in `merchants.journal` into
/// `merchants.json` under the folder's lock, in one line; the same command then finishes the run
/// to the bytes of a one-shot run.
@Suite struct CompactCommandTests {
    @Test func aKilledRunsJournalIsFoldedInAndTheRunFinishesExactly() throws {
        let (folder, history) = try generatedHistory(through: "2024-01-01")
        let reference = try TemporaryFolder()
        let arguments = ["--incremental", "--date", "2024-01-02", "-f", "--output-dir", folder.path, "--brokers", "none", "--pace", "28800"]
        for _ in 0..<2 {
            #expect(try ReplayBinary.run(arguments, environment: ["REPLAY_KILL_AT": "journal-appended:1"]).killedBySignal)
        }
        #expect(try folder.read("merchants.json") == history)
        let journalBytes = try folder.read("merchants.journal").count
        let compacted = try ReplayBinary.run(["compact", "--output-dir", folder.path])
        let snapshotBytes = try folder.read("merchants.json").count
        #expect(compacted.status == 0 && compacted.stdout == "compacted 2 checkpoints of \(folder.file("merchants.journal")) "
                + "(\(journalBytes) bytes) into \(folder.file("merchants.json")) (\(snapshotBytes) bytes)\n", "\(compacted.stdout)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("merchants.journal")))
        #expect(try folder.read("merchants.json") != history)
        let again = try ReplayBinary.run(["compact", "--output-dir", folder.path])
        #expect(again.status == 0 && again.stdout == "\(folder.file("merchants.json")) has no journal: nothing to compact\n", "\(again.stdout)")

        let finished = try ReplayBinary.run(arguments)
        #expect(finished.status == 0 && finished.stderr.contains("continuing the unfinished run"), "\(finished.stderr)")
        #expect(try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-02",
                                      "--output-dir", reference.path, "--brokers", "none"]).status == 0)
        #expect(try folder.read("merchants.json") == reference.read("merchants.json"))
    }

    /// A damaged entry that a whole one follows is not a torn tail: the run and `compact` refuse
    /// it in one line and leave both files as they are.
    @Test func aDamagedJournalEntryIsRefusedInOneLine() throws {
        let (folder, _) = try generatedHistory(through: "2024-01-01")
        let arguments = ["--incremental", "--date", "2024-01-02", "-f", "--output-dir", folder.path, "--brokers", "none", "--pace", "28800"]
        for _ in 0..<2 {
            #expect(try ReplayBinary.run(arguments, environment: ["REPLAY_KILL_AT": "journal-appended:1"]).killedBySignal)
        }
        var journal = try folder.read("merchants.journal")
        journal[32 + 24 + 10] ^= 0x01  // inside the first entry's payload
        try journal.write(to: URL(fileURLWithPath: folder.file("merchants.journal")))
        let before = try folder.state()
        for command in [arguments, ["compact", "--output-dir", folder.path]] {
            let refused = try ReplayBinary.run(command)
            #expect(refused.status == 1 && refused.stderrLines.count == 1, "\(refused.stderr)")
            #expect(refused.stderr.hasPrefix("replay: error: \(folder.file("merchants.journal")) is corrupt: entry 1 at byte 32 is damaged"),
                    "\(refused.stderr)")
            #expect(try folder.state() == before)
        }
    }

    @Test func aFolderWithoutStateOrInUseIsRefusedInOneLine() throws {
        let empty = try TemporaryFolder()
        let missing = try ReplayBinary.run(["compact", "--output-dir", empty.file("nowhere")])
        #expect(missing.status == 1 && missing.stderr == "replay: error: no state at \(empty.file("nowhere"))/merchants.json: run --initial first\n",
                "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: empty.file("nowhere")))

        let folder = try TemporaryFolder()
        let run = try ReplayBinary.start(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-02",
                                          "--output-dir", folder.path, "--brokers", "none", "--pace", "3600"])
        #expect(run.wait(for: "progress:", on: 1))
        let busy = try ReplayBinary.run(["compact", "--output-dir", folder.path])
        #expect(busy.status == 1 && busy.stderrLines.count == 1 && busy.stderr.contains("another replay (pid \(run.pid))"), "\(busy.stderr)")
        run.signal(SIGINT)
        #expect(run.finish().status == 75)
        #expect(!FileManager.default.fileExists(atPath: folder.file("merchants.journal")), "a stopped run folds its journal in")
    }
}
