import Foundation
import Simulation
import Checkpoints
import Testing

@Suite struct StateSnapshotTests {
    @Test func aSavedStateLoadsBackExactly() throws {
        var state = january2024.state
        state.merchants[0].versions[0].name = "Joe's \"Best\", Café \\ Grill\t✓"
        state.merchants[1].lastTransactionDate = nil
        state.partialDay = PartialDay(date: Day(iso: "2024-01-16")!, merchantEvents: 3, transactions: 1_234)
        state.scale = 2.5
        state.seed = UInt64.max
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("snapshot-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let snapshot = StateSnapshot(folder: folder)
        try snapshot.save(Checkpoint(state: state, unfinishedRun: nil))
        #expect(try snapshot.load() == Checkpoint(state: state, unfinishedRun: nil))
        #expect(!FileManager.default.fileExists(atPath: snapshot.path + ".tmp"))

        // The unfinished run's record, with text that needs escaping.
        let run = RunRecord(command: .initial, startDate: Day(iso: "2024-01-01"), endDate: Day(iso: "2024-01-15"),
                            timeZone: "America/New_York", kafka: .init(brokers: "k1:9092,\"k2\":9092", topics: ["a.b", "c-d"], partitions: [8, 12]),
                            files: ["transactions_2024-01-01_2024-01-15.csv": 1_234_567, "z.csv": 0])
        try snapshot.save(Checkpoint(state: state, unfinishedRun: run))
        #expect(try snapshot.load() == Checkpoint(state: state, unfinishedRun: run))

        // With disorder: the settings and the pending deliveries, whole transactions included.
        var disordered = run
        let epoch = DeliveryEpoch(first: Day(iso: "2024-01-01")!, last: nil)
        let plan = DeliveryPlan(settings: DisorderSettings(lateFraction: 1, maxLatenessSeconds: 86_400, duplicateFraction: 0.5), seed: 3, zone: .utc)
        let day = january2024.days[14]
        let pending = day.transactions.prefix(40).enumerated().flatMap { index, transaction in
            let (first, second) = plan.deliveries(of: transaction, day: day.day, index: index, epoch: epoch.first)
            return [first] + (second.map { [$0] } ?? [])
        }.sorted { $0.mark < $1.mark }
        #expect(pending.contains { $0.mark.kind == .duplicate } && pending.allSatisfy { $0.mark.kind != .onTime })
        disordered.disorder = DisorderRecord(settings: plan.settings, writesLog: true, epoch: epoch, pending: pending)
        try snapshot.save(Checkpoint(state: state, unfinishedRun: disordered))
        #expect(try snapshot.load() == Checkpoint(state: state, unfinishedRun: disordered))
    }
}
