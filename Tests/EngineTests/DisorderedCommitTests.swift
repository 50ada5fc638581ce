import SimulatedClock
import Engine
import Foundation
import Simulation
import Checkpoints
import Testing

/// The commit protocol with late and duplicate delivery, in process: every checkpoint keeps the
/// deliveries still pending, so a run that fails at any checkpoint and is run again from
/// `merchants.json` makes every delivery exactly once, in the same order as an uninterrupted run,
/// with the same files and the same disorder log.
@Suite struct DisorderedCommitTests {
    /// Late deliveries up to a day, so that they cross day ends and the period's end.
    let settings = DisorderSettings(lateFraction: 0.2, maxLatenessSeconds: 86_400, duplicateFraction: 0.05)
    let fileNames = ["transactions_2024-03-01_2024-03-03.csv", "merchants_2024-03-01_2024-03-03.csv",
                     "disorder_2024-03-01_2024-03-03.csv", "merchants.json"]

    /// With days in small parts too: the same deliveries in the same order as days in one part.
    @Test(arguments: [DayPartLimits.standard, EngineHarness.smallParts])
    func aFailureAtAnyCheckpointThenARerunMakesEveryDeliveryOnceInOrder(limits: DayPartLimits) throws {
        let reference = EngineHarness(folder: try ScratchFolder(), disorder: settings)
        let (whole, stream) = try reference.runFailing(at: nil)
        #expect(try reference.run(whole) == .completed)
        let all = stream.deliveries
        let transactions = reference.allEvents().filter { $0.stream == 1 }.count
        #expect(all.filter { $0.kind != .duplicate }.count == transactions, "every transaction delivered once, duplicates aside")
        #expect(zip(all, all.dropFirst()).allSatisfy { $0 < $1 }, "deliveries in mark order")
        #expect(all.last!.deliveredAt >= reference.period.end.adding(days: 1).startSecond, "late deliveries go on after the period's end")
        let files = try fileNames.map(reference.folder.read)
        var pendingAtSomeCheckpoint = false
        for attempt in 1...stream.durableCalls {
            let harness = EngineHarness(folder: try ScratchFolder(), disorder: settings, limits: limits)
            let (first, failing) = try harness.runFailing(at: attempt)
            #expect(throws: SinkError.self) { try harness.run(first) }
            first.finish(completed: false)
            let saved = try harness.snapshot.load()
            #expect(saved == first.committed)
            pendingAtSomeCheckpoint = pendingAtSomeCheckpoint || !(saved.unfinishedRun?.disorder?.pending.isEmpty ?? true)
            let rest = RecordingSink()
            #expect(try harness.run(harness.makeRun(from: saved, publishers: [rest])) == .completed)
            #expect(Array(failing.deliveries.prefix(failing.durableDeliveryCount)) + rest.deliveries == all, "failed at checkpoint \(attempt)")
            #expect(try fileNames.map(harness.folder.read) == files, "failed at checkpoint \(attempt)")
        }
        #expect(pendingAtSomeCheckpoint, "some checkpoint kept pending deliveries")
    }
}
