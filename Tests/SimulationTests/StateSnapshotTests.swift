import Foundation
import Simulation
import Sinks
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
        try snapshot.save(state)
        #expect(try snapshot.load() == state)
        #expect(!FileManager.default.fileExists(atPath: snapshot.path + ".tmp"))
    }
}
