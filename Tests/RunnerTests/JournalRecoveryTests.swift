import Checkpoints
import Engine
import Foundation
import Records
import Runner
import SimulatedClock
import Simulation
import Testing

/// Crash-only around `merchants.journal`, in process: the output folder as a kill would leave it
/// right after a checkpoint's journal entry was synced, or right after a whole `merchants.json`
/// was put in place and before the old journal was removed (copied at that step of the run),
/// goes on with the same request to the bytes of a run never interrupted; and a session that
/// stops folds its journal into `merchants.json`.
@Suite struct JournalRecoveryTests {
    /// Four days, paced fast: a checkpoint at each day's end, after the first day's into the journal.
    static let fourDays = RunRequest(mode: .initial(Period(start: Day(iso: "2024-01-01")!, end: Day(iso: "2024-01-04")!)),
                                     seed: nil, scale: nil, timeZone: nil, pace: .factor(4_000_000), force: false, kafka: nil)

    static func request(_ folder: ScratchFolder) -> SessionRequest {
        SessionRequest(run: fourDays, outputDir: folder.path, kafka: KafkaSettings(brokers: .filesOnly))
    }

    @Test func aFolderLeftAtAnyStepOfTheJournalFinishesToTheSameBytes() throws {
        let whole = try ScratchFolder()
        #expect(try RunSession(Self.request(whole), logger: LogLines().logger).run().outcome == .completed)
        #expect(!whole.names.contains(StateSnapshot.journalName))

        let folder = try ScratchFolder()
        var left: [(step: CommitStep, folder: ScratchFolder)] = []
        let session = RunSession(Self.request(folder), logger: LogLines().logger)
        session.reached = { step in
            guard step == .journalAppended || step == .snapshotReplaced, folder.names.contains(StateSnapshot.journalName) else { return }
            do {
                left.append((step, try folder.copy()))
            } catch {
                Issue.record("cannot copy \(folder.path): \(error)")
            }
        }
        #expect(try session.run().outcome == .completed)
        #expect(left.contains { $0.step == .journalAppended } && left.contains { $0.step == .snapshotReplaced })
        for (step, copy) in left {
            let state = try StateSnapshot(folder: copy.path).load()
            let outcome = try RunSession(Self.request(copy), logger: LogLines().logger).run().outcome
            #expect(outcome == (state.unfinishedRun == nil ? .alreadyComplete : .completed), "\(step)")
            for name in whole.names where !name.hasPrefix(".") {
                #expect(try copy.read(name) == whole.read(name), "\(step): \(name)")
            }
        }
    }

    @Test func aStoppedSessionFoldsItsJournalIntoTheSnapshot() throws {
        let folder = try ScratchFolder()
        let appended = Appended()
        let session = RunSession(Self.request(folder), logger: LogLines().logger, shouldStop: { appended.count >= 3 })
        session.reached = { if $0 == .journalAppended { appended.count += 1 } }
        #expect(try session.run().outcome == .stopped)
        #expect(!folder.names.contains(StateSnapshot.journalName))
        let state = try StateSnapshot(folder: folder.path).load()
        #expect(state.unfinishedRun != nil && state.state.lastGeneratedDate != nil)
    }
}

/// Journal appends counted on the run's thread.
private final class Appended: @unchecked Sendable {
    var count = 0
}

extension ScratchFolder {
    /// A new folder with a copy of every file in this one.
    func copy() throws -> ScratchFolder {
        let copy = try ScratchFolder()
        for name in names {
            try FileManager.default.copyItem(atPath: path + "/" + name, toPath: copy.path + "/" + name)
        }
        return copy
    }
}
