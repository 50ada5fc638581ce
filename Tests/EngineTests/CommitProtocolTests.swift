import SimulatedClock
import Engine
import Foundation
import Simulation
import Checkpoints
import Testing

/// The run engine's commit protocol, in process: real files, a recording stream sink, an
/// injected clock. Whatever stops a run, `merchants.json` covers only what every sink holds, and
/// a new run from it finishes the job with the same bytes as an uninterrupted run.
@Suite struct CommitProtocolTests {
    let fileNames = ["transactions_2024-03-01_2024-03-03.csv", "merchants_2024-03-01_2024-03-03.csv", "merchants.json"]

    /// The files of an uninterrupted run.
    func uninterrupted() throws -> [Data] {
        let harness = EngineHarness(folder: try ScratchFolder())
        let run = harness.makeRun(publishers: [RecordingSink()])
        try run.begin()
        #expect(try harness.run(run) == .completed)
        return try fileNames.map(harness.folder.read)
    }

    @Test func everyCommitCoversOnlyWhatTheSinksMadeDurable() throws {
        let harness = EngineHarness(folder: try ScratchFolder())
        let stream = RecordingSink(), clock = ManualClock()
        stream.afterWrite = { clock.advance(0.6) }  // a checkpoint falls due every other slice
        let run = harness.makeRun(publishers: [stream], policy: CheckpointPolicy(interval: 1, clock: clock))
        var commits: [Checkpoint] = []
        run.reached = { step in
            guard step == .committed, let saved = try? harness.snapshot.load() else { return }
            commits.append(saved)
            let covered = harness.events(coveredBy: saved.state)
            #expect(covered.count <= stream.durableCount, "the state claims events the stream has not made durable")
            #expect(Array(stream.events.prefix(covered.count)) == covered)
            for (name, length) in saved.unfinishedRun?.files ?? [:] {
                let size = (try? harness.folder.read(name).count) ?? -1
                #expect(size >= length, "\(name) is shorter than the checkpoint says")
            }
        }
        try run.begin()
        #expect(try harness.run(run) == .completed)
        #expect(commits.contains { $0.state.partialDay != nil }, "checkpoints within a day when one is due")
        #expect(commits.last?.unfinishedRun == nil, "the last commit completes the run")
        #expect(stream.events == harness.allEvents())
        #expect(try fileNames.map(harness.folder.read) == uninterrupted())
    }

    /// With days in small parts too: the same events and files as days in one part.
    @Test(arguments: [DayPartLimits.standard, EngineHarness.smallParts])
    func aSinkFailureAtAnyCheckpointKeepsTheLastOneAndARerunFinishesExactly(limits: DayPartLimits) throws {
        let harness = EngineHarness(folder: try ScratchFolder(), limits: limits)
        let (whole, counter) = try harness.runFailing(at: nil)
        try harness.run(whole)
        #expect(counter.durableCalls >= 4, "checkpoints within days, at day ends and at the period's end")
        for attempt in 1...counter.durableCalls {
            try failAndRerun(at: attempt, limits: limits)
        }
    }

    func failAndRerun(at attempt: Int, limits: DayPartLimits) throws {
        let harness = EngineHarness(folder: try ScratchFolder(), limits: limits)
        let (first, failing) = try harness.runFailing(at: attempt)
        #expect(throws: SinkError.self) { try harness.run(first) }
        first.finish(completed: false)
        #expect(failing.closed == false)
        let saved = try harness.snapshot.load()
        #expect(saved == first.committed)
        #expect(saved.unfinishedRun != nil)
        // The file holds what the checkpoint covers and no more (whole lines).
        for (name, length) in saved.unfinishedRun!.files {
            #expect(try harness.folder.read(name).count == length)
        }

        // Run again from what merchants.json says: the stream gets exactly the rest.
        let rest = RecordingSink()
        let second = harness.makeRun(from: saved, publishers: [rest])
        #expect(try harness.run(second) == .completed)
        let covered = harness.events(coveredBy: saved.state)
        #expect(covered + rest.events == harness.allEvents())
        #expect(try fileNames.map(harness.folder.read) == uninterrupted())
    }

    @Test func aStopOnTheFirstDayResumesLikeAnyOther() throws {
        let harness = EngineHarness(folder: try ScratchFolder())
        let stream = RecordingSink()
        var slices = 0
        stream.afterWrite = { slices += 1 }
        let first = harness.makeRun(publishers: [stream], stopWhen: { slices >= 1 })
        try first.begin()
        #expect(try harness.run(first) == .stopped)
        let saved = try harness.snapshot.load()
        #expect(saved.state.lastGeneratedDate == nil)
        #expect(saved.state.partialDay?.date == harness.period.start)
        #expect(harness.events(coveredBy: saved.state) == stream.events, "a stop checkpoints exactly what was emitted")
        #expect(!harness.folder.exists("merchants_2024-03-01_2024-03-03.csv"), "a period's merchants file waits for its end")

        let rest = RecordingSink()
        #expect(try harness.run(harness.makeRun(from: saved, publishers: [rest])) == .completed)
        #expect(stream.events + rest.events == harness.allEvents())
        #expect(try fileNames.map(harness.folder.read) == uninterrupted())
    }

    @Test func aPeriodsFilesAreCompleteBeforeTheCheckpointThatEndsIt() throws {
        let harness = EngineHarness(folder: try ScratchFolder())
        let run = harness.makeRun(publishers: [])
        var merchantsFileAtCompletion: Bool?
        run.reached = { step in
            if step == .committed, (try? harness.snapshot.load())?.unfinishedRun == nil {
                merchantsFileAtCompletion = harness.folder.exists("merchants_2024-03-01_2024-03-03.csv")
            }
        }
        try run.begin()
        try harness.run(run)
        #expect(merchantsFileAtCompletion == true)
    }
}
