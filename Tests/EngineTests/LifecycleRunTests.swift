import SimulatedClock
import Engine
import Foundation
import Simulation
import Checkpoints
import Records
import BatchFiles
import Testing

/// The run engine with the payment lifecycle's streams, in process.
@Suite struct LifecycleRunTests {
    /// Records, for each slice, the simulated second it was handed out at and the delivery times it holds.
    final class SliceTimes: RunObserver {
        private(set) var slices: [(second: Int64, deliveredAt: [Int64], events: Int)] = []

        func emitted(_ slice: EventSlice, simulatedSecond: Int64) {
            slices.append((simulatedSecond, slice.deliveries?.map(\.mark.deliveredAt) ?? [], slice.count + (slice.deliveries?.count ?? 0)))
        }
    }

    /// A paced run with late and duplicate delivery: the authorizations (a stream after the
    /// delivered one, with the transactions' times) do not hold the transactions back, so every
    /// slice hands out only what fell due since the one before it, and never nothing.
    @Test func aPacedRunWithDisorderHandsEachDeliveryOutWhenItFallsDue() throws {
        let settings = DisorderSettings(lateFraction: 0.1, maxLatenessSeconds: 3_600, duplicateFraction: 0.02)
        let harness = EngineHarness(folder: try ScratchFolder(), disorder: settings)
        let start = Checkpoint(state: SimulationState(seed: 7, timeZone: "UTC", lifecycle: true), unfinishedRun: harness.record)
        let times = SliceTimes()
        let sink = RecordingSink()
        let run = ReplayRun(
            start: start, zone: .utc, publishers: [sink], snapshot: harness.snapshot, scratchFolder: harness.folder.path,
            openFiles: { period, lengths in
                try CSVFileSink(folder: harness.folder.path, period: period, resumingFrom: lengths, streams: EventStreams.of(start.state))
            },
            // A run that hands out empty slices without end stops, and fails the test, instead of hanging it.
            shouldStop: { times.slices.count > 100_000 }, observers: [times])
        try run.begin()
        // A day in 86.4 wall seconds, on a clock that moves only when the pacer waits.
        let pacer = Pacer(pace: .factor(1_000), clock: ManualClock())
        pacer.anchor(at: Double(harness.period.start.startSecond), atFirstWait: true)
        #expect(try run.run([harness.period], pacer: pacer, finishing: true) == .completed)

        #expect(times.slices.allSatisfy { $0.events > 0 }, "a slice with nothing in it")
        var previous = Int64.min
        for slice in times.slices {
            for deliveredAt in slice.deliveredAt where deliveredAt > slice.second || deliveredAt <= previous {
                Issue.record("a delivery due at \(deliveredAt) handed out at \(slice.second), after a slice at \(previous)")
            }
            previous = max(previous, slice.second)
        }
        let transactions = try harness.folder.read("transactions_2024-03-01_2024-03-03.csv")
        let authorizations = try harness.folder.read("authorizations_2024-03-01_2024-03-03.csv")
        #expect(transactions.split(separator: UInt8(ascii: "\n")).count == authorizations.split(separator: UInt8(ascii: "\n")).count)
        #expect(sink.deliveries.filter { $0.kind != .duplicate }.count == transactions.split(separator: UInt8(ascii: "\n")).count - 1)
    }
}
