import Foundation
import Simulation
@testable import Checkpoints
import Testing

/// `merchants.json` with `merchants.journal` beside it: every committed checkpoint loads back
/// exactly, whatever mix of appended entries and whole snapshots committed it; a torn tail is an
/// uncommitted checkpoint, a journal of another snapshot does not apply, a damaged entry before a
/// whole one is refused in one line, and compaction gives the bytes of a whole save.
@Suite struct StateJournalTests {
    static let firstDay = Day(iso: "2024-03-01")!
    static let file = "transactions_2024-03-01_2024-03-06.csv"

    /// The checkpoints a run commits over six days: its start, then for each day one within it
    /// (half the day's transactions delivered) and its end; from the third day on with late
    /// deliveries pending, and from the fifth day's end on without the 40 oldest stored cards.
    static let checkpoints: [Checkpoint] = {
        var simulator = Simulator(state: SimulationState(seed: 7))
        var record = RunRecord(command: .initial, startDate: firstDay, endDate: firstDay.adding(days: 5), timeZone: "UTC",
                               kafka: .init(brokers: "k1:9092", topics: ["m", "t"], partitions: [4, 4]))
        var checkpoints = [Checkpoint(state: simulator.state, unfinishedRun: record)]
        let plan = DeliveryPlan(settings: DisorderSettings(lateFraction: 1, maxLatenessSeconds: 86_400, duplicateFraction: 0.1), seed: 7, zone: .utc)
        let epoch = DeliveryEpoch(first: firstDay, last: firstDay.adding(days: 5))
        for offset in 0..<6 {
            let day = firstDay.adding(days: offset)
            var partial = simulator.state
            let events = simulator.simulate(day)
            partial.partialDay = PartialDay(date: day, merchantEvents: events.merchantEvents.count, transactions: events.transactions.count / 2)
            record.files = [file: offset * 1_000_000 + 500_000]
            if offset >= 2 {
                let pending = events.transactions.prefix(10).enumerated().map { index, transaction in
                    plan.deliveries(of: transaction, day: day, index: index, epoch: epoch.first).0
                }.sorted { $0.mark < $1.mark }
                record.disorder = DisorderRecord(settings: plan.settings, writesLog: true, epoch: epoch, pending: pending)
            }
            checkpoints.append(Checkpoint(state: partial, unfinishedRun: record))
            record.files = [file: offset * 1_000_000 + 900_000]
            checkpoints.append(Checkpoint(state: simulator.state, unfinishedRun: record))
        }
        for index in 10..<checkpoints.count { checkpoints[index].state.storedCards.removeFirst(40) }
        return checkpoints
    }()

    /// A fresh folder, removed when the value goes away.
    final class Folder {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)").path
        init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        var snapshot: String { path + "/" + StateSnapshot.fileName }
        var journal: String { path + "/" + StateSnapshot.journalName }
        func read(_ file: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: file)) }
        func write(_ data: Data, to file: String) throws { try data.write(to: URL(fileURLWithPath: file)) }
        func exists(_ file: String) -> Bool { FileManager.default.fileExists(atPath: file) }
        /// What a new process finds.
        func load() throws -> Checkpoint { try StateSnapshot(folder: path).load() }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    /// A folder where one object committed `checkpoints[...last]`; the byte offsets where the journal's entries start.
    func committed(through last: Int) throws -> (Folder, entryStarts: [Int]) {
        let folder = try Folder()
        let snapshot = StateSnapshot(folder: folder.path)
        var starts: [Int] = []
        for checkpoint in Self.checkpoints[...last] {
            let before = folder.exists(folder.journal) ? try folder.read(folder.journal).count : 0
            try snapshot.save(checkpoint)
            guard folder.exists(folder.journal) else {
                starts = []
                continue
            }
            if try folder.read(folder.journal).count > before { starts.append(max(before, StateJournal.headerSize)) }
        }
        return (folder, starts)
    }

    @Test func everyCommittedCheckpointLoadsBackExactly() throws {
        let folder = try Folder()
        let snapshot = StateSnapshot(folder: folder.path)
        var appended = 0
        for (index, checkpoint) in Self.checkpoints.enumerated() {
            let before = try? folder.read(folder.snapshot)
            try snapshot.save(checkpoint)
            if try folder.read(folder.snapshot) == before { appended += 1 }
            #expect(try folder.load() == checkpoint, "checkpoint \(index)")
        }
        #expect(appended >= 8, "the checkpoints after the first day's end go to the journal")
        #expect(folder.exists(folder.journal))
        // A new object goes on from what it loaded, appending.
        let next = StateSnapshot(folder: folder.path)
        #expect(try next.load() == Self.checkpoints.last)
        var edited = Self.checkpoints.last!
        edited.unfinishedRun?.files = [Self.file: 9_999_999]
        let snapshotBytes = try folder.read(folder.snapshot)
        try next.save(edited)
        #expect(try folder.read(folder.snapshot) == snapshotBytes)
        #expect(try folder.load() == edited)
    }

    @Test func compactionWritesTheBytesOfAWholeSaveAndReloadsTheSame() throws {
        let (folder, starts) = try committed(through: Self.checkpoints.count - 1)
        #expect(starts.count >= 8)
        let whole = try Folder()
        try StateSnapshot(folder: whole.path).save(Self.checkpoints.last!)
        #expect(!whole.exists(whole.journal))

        let snapshot = StateSnapshot(folder: folder.path)
        guard case let .compacted(entries, _, bytes) = try snapshot.compact() else { Issue.record("nothing compacted"); return }
        #expect(entries == starts.count)
        #expect(try folder.read(folder.snapshot) == whole.read(whole.snapshot))
        #expect(bytes == (try whole.read(whole.snapshot).count))
        #expect(!folder.exists(folder.journal))
        #expect(try snapshot.compact() == .nothingToDo)
        #expect(try folder.load() == Self.checkpoints.last)
        #expect(try folder.load() == folder.load())
        // Committing the checkpoint it holds again changes nothing.
        try snapshot.save(Self.checkpoints.last!)
        #expect(!folder.exists(folder.journal))
        #expect(try folder.read(folder.snapshot) == whole.read(whole.snapshot))
    }

    @Test func aCompletedRunIsWrittenWhole() throws {
        let (folder, starts) = try committed(through: 8)
        #expect(!starts.isEmpty)
        var completed = Self.checkpoints[8]
        completed.unfinishedRun = nil
        let snapshot = StateSnapshot(folder: folder.path)
        _ = try snapshot.load()
        try snapshot.save(completed)
        #expect(!folder.exists(folder.journal))
        #expect(try folder.load() == completed)
    }

    @Test func aPeriodEndWritesTheStateBesideItsClosingFilesAndCommitsAfterThem() throws {
        let (folder, _) = try committed(through: 8)
        var completed = Self.checkpoints[8]
        completed.unfinishedRun = nil
        let before = try folder.read(folder.snapshot)
        let journal = try folder.read(folder.journal)
        let snapshot = StateSnapshot(folder: folder.path)
        _ = try snapshot.load()
        struct ClosingFilesFailed: Error {}
        #expect(throws: ClosingFilesFailed.self) { try snapshot.save(completed) { throw ClosingFilesFailed() } }
        #expect(try folder.read(folder.snapshot) == before)
        #expect(try folder.read(folder.journal) == journal)
        #expect(try folder.load() == Self.checkpoints[8])

        var seenWhileClosing: Data?
        try snapshot.save(completed) { seenWhileClosing = try folder.read(folder.snapshot) }
        #expect(seenWhileClosing == before, "merchants.json is replaced only after the closing files")
        #expect(!folder.exists(folder.journal))
        let whole = try Folder()
        try StateSnapshot(folder: whole.path).save(completed)
        #expect(try folder.read(folder.snapshot) == whole.read(whole.snapshot))
        #expect(try folder.load() == completed)
    }

    @Test func aStateThatCannotBeWrittenBesideTheClosingFilesCommitsNothing() throws {
        let (folder, _) = try committed(through: 8)
        var completed = Self.checkpoints[8]
        completed.unfinishedRun = nil
        let snapshot = StateSnapshot(folder: folder.path)
        _ = try snapshot.load()
        // The temporary file's name taken by a folder: the snapshot cannot be written.
        try FileManager.default.createDirectory(atPath: folder.snapshot + ".tmp", withIntermediateDirectories: false)
        var closed = false
        #expect(throws: SinkError.self) { try snapshot.save(completed) { closed = true } }
        #expect(closed)
        #expect(try folder.load() == Self.checkpoints[8])
    }

    @Test func aCheckpointWithinARunAppendsAfterTheClosingFiles() throws {
        let (folder, _) = try committed(through: 8)
        let snapshot = StateSnapshot(folder: folder.path)
        _ = try snapshot.load()
        let journal = try folder.read(folder.journal)
        var seenWhileClosing: Data?
        try snapshot.save(Self.checkpoints[9]) { seenWhileClosing = try folder.read(folder.journal) }
        #expect(seenWhileClosing == journal)
        #expect(try folder.read(folder.journal).count > journal.count, "appended, as `save` alone does")
        #expect(try folder.load() == Self.checkpoints[9])
    }

    @Test func aTornTailIsAnUncommittedCheckpointAndTheNextAppendWritesOverIt() throws {
        let last = 9
        let (folder, starts) = try committed(through: last)
        let journal = try folder.read(folder.journal)
        let tail = starts.last!
        #expect(tail > StateJournal.headerSize)
        for cut in [journal.count - 1, (tail + journal.count) / 2, tail + 30, tail + 5] {
            try folder.write(journal.prefix(cut), to: folder.journal)
            #expect(try folder.load() == Self.checkpoints[last - 1], "cut at \(cut) of \(journal.count)")
        }
        // The last entry whole, then zeros: an append cut short after the file grew.
        try folder.write(journal + Data(count: 4096), to: folder.journal)
        #expect(try folder.load() == Self.checkpoints[last])
        // A torn entry whose length and hash came out whole, but not all of its bytes.
        var zeroed = journal
        zeroed.replaceSubrange((journal.count - 40)..<journal.count, with: Data(count: 40))
        try folder.write(zeroed, to: folder.journal)
        #expect(try folder.load() == Self.checkpoints[last - 1])
        // The run goes on from there: its next append replaces the torn tail.
        let snapshot = StateSnapshot(folder: folder.path)
        _ = try snapshot.load()
        try snapshot.save(Self.checkpoints[last])
        #expect(try folder.read(folder.journal) == journal)
        try snapshot.save(Self.checkpoints[last + 1])
        #expect(try folder.load() == Self.checkpoints[last + 1])
    }

    @Test func aJournalOfAnotherSnapshotDoesNotApply() throws {
        // Killed after a compaction's rename, before the old journal was removed.
        let (folder, starts) = try committed(through: 9)
        #expect(!starts.isEmpty)
        let oldJournal = try folder.read(folder.journal)
        let snapshot = StateSnapshot(folder: folder.path)
        _ = try snapshot.compact()
        try folder.write(oldJournal, to: folder.journal)
        #expect(try folder.load() == Self.checkpoints[9])
        // The next run appends a journal of its own in its place.
        let next = StateSnapshot(folder: folder.path)
        _ = try next.load()
        try next.save(Self.checkpoints[10])
        #expect(try folder.read(folder.journal).count < oldJournal.count)
        #expect(try folder.load() == Self.checkpoints[10])
        // Or `compact` removes it.
        try folder.write(oldJournal, to: folder.journal)
        #expect(try StateSnapshot(folder: folder.path).compact() == .removedJournal(bytes: oldJournal.count))
        #expect(!folder.exists(folder.journal))
        // A journal cut short in its header holds nothing either.
        try folder.write(oldJournal.prefix(20), to: folder.journal)
        #expect(try folder.load() == Self.checkpoints[9])
    }

    /// A state whose whole snapshot is the very bytes a journal was written against: the journal
    /// is removed before the snapshot is put in place, never applied to it.
    @Test func aSnapshotOfTheBytesAJournalNamesRemovesTheJournalFirst() throws {
        let (folder, _) = try committed(through: 3)
        let snapshotBytes = try folder.read(folder.snapshot)
        let base = try Folder()
        try StateSnapshot(folder: base.path).save(Self.checkpoints[2])
        #expect(try base.read(base.snapshot) == snapshotBytes, "checkpoint 2 is the snapshot of the journal")
        var told: [SnapshotStep] = []
        var leftByAKill: Checkpoint?
        let snapshot = StateSnapshot(folder: folder.path)
        snapshot.reached = { step in
            told.append(step)
            leftByAKill = try? folder.load()
        }
        try snapshot.save(Self.checkpoints[2])
        #expect(told == [.snapshotReplaced])
        #expect(leftByAKill == Self.checkpoints[2], "a kill right after the rename leaves the new snapshot alone")
        #expect(!folder.exists(folder.journal))
        #expect(try folder.load() == Self.checkpoints[2])
    }

    @Test func aDamagedEntryOrHeaderBeforeAWholeEntryIsRefusedInOneLine() throws {
        let (folder, starts) = try committed(through: 10)
        #expect(starts.count >= 3)
        let journal = try folder.read(folder.journal)
        func refusal(_ damaged: Data) throws -> String {
            try folder.write(damaged, to: folder.journal)
            do {
                _ = try folder.load()
            } catch let error as SinkError {
                return error.description
            }
            return "loaded"
        }
        var flipped = journal
        flipped[starts[1] + StateJournal.entryHeaderSize + 100] ^= 0x20
        let entry = try refusal(flipped)
        #expect(entry.hasPrefix("\(folder.journal) is corrupt: entry 2 at byte \(starts[1]) is damaged, and an entry follows at byte \(starts[2])"),
                "\(entry)")
        #expect(!entry.contains("\n"))
        var header = journal
        header[3] ^= 0x01
        #expect(try refusal(header).hasPrefix("\(folder.journal) is corrupt: its header is damaged, and an entry follows at byte 32"))

        // A whole entry (its hash matches) that does not fit the state is corrupt too.
        let payload = Data(#"{"cards_dropped": 100000, "state": "#.utf8) + (try folder.read(folder.snapshot)) + Data(#", "transacted": []}"#.utf8)
        let frame = payload.withUnsafeBytes { Data(StateJournal.entryHeader(of: $0)) } + payload
        let unfit = try refusal(journal + frame)
        #expect(unfit.hasPrefix("\(folder.journal) is corrupt: entry \(starts.count + 1): 100000 stored cards dropped, but there are"), "\(unfit)")
        let garbage = Data("{not json".utf8)
        let bad = try refusal(journal + garbage.withUnsafeBytes { Data(StateJournal.entryHeader(of: $0)) } + garbage)
        #expect(bad.hasPrefix("\(folder.journal) entry \(starts.count + 1) is corrupt: "), "\(bad)")
        #expect(!bad.contains("\n"))
    }

    @Test func changesThatCannotBeToldAsChangesAreWrittenWhole() throws {
        let (folder, starts) = try committed(through: 6)
        #expect(!starts.isEmpty)
        let snapshot = StateSnapshot(folder: folder.path)
        _ = try snapshot.load()
        var gone = Self.checkpoints[7]
        gone.state.merchants.removeLast()
        gone.state.merchantCounter -= 1
        try snapshot.save(gone)
        #expect(!folder.exists(folder.journal))
        #expect(try folder.load() == gone)
        var shuffled = Self.checkpoints[8]
        shuffled.state.storedCards.remove(at: 5)
        try snapshot.save(shuffled)
        #expect(!folder.exists(folder.journal))
        #expect(try folder.load() == shuffled)
        try snapshot.save(Self.checkpoints[8])
        #expect(!folder.exists(folder.journal))
        // Starting over (`--initial -f`): the fresh state replaces the old one and its journal.
        try snapshot.save(Self.checkpoints[9])
        #expect(folder.exists(folder.journal))
        try snapshot.save(Self.checkpoints[0])
        #expect(!folder.exists(folder.journal))
        #expect(try folder.load() == Self.checkpoints[0])
    }

    @Test func theSnapshotStreamsInChunksToTheSameBytes() throws {
        func written(chunk: Int) throws -> (Data, SnapshotIdentity) {
            let folder = try Folder()
            let file = try BufferedFile(creating: folder.snapshot)
            let identity = try StateJSONWriter.stream(Self.checkpoints.last!, to: file, chunk: chunk)
            try file.close()
            return (try folder.read(folder.snapshot), identity)
        }
        let (whole, identity) = try written(chunk: 1 << 30)
        let (chunked, chunkedIdentity) = try written(chunk: 1_000)
        #expect(whole == chunked)
        #expect(identity == chunkedIdentity)
        #expect(identity == whole.withUnsafeBytes { SnapshotIdentity(length: $0.count, hash: ContentHash.of($0)) })
    }
}

/// A simulation with the payment lifecycle: its flag and the authorizations a partial day has
/// delivered come back from a whole save and from journal entries, and a simulation without it
/// writes neither.
@Suite struct LifecycleStateTests {
    @Test func theLifecycleItsDeliveredEventsAndPendingRefundsLoadBackFromTheSnapshotAndTheJournal() throws {
        let scenario = try LifecycleScenario(declineShares: [("51", 0.625), ("N7", 0.25), ("05", 0.125)],
                                             refunds: RefundRates(rate: 0.02, meanWaitDays: 2))
        var simulator = Simulator(state: SimulationState(seed: 7, lifecycle: true, scenario: scenario))
        let record = RunRecord(command: .initial, startDate: StateJournalTests.firstDay, endDate: StateJournalTests.firstDay.adding(days: 2),
                               timeZone: "UTC", kafka: .init(brokers: "k1:9092", topics: ["m", "t", "a", "r", "d", "p"], partitions: [4, 4, 4, 4, 4, 4]))
        var checkpoints = [Checkpoint(state: simulator.state, unfinishedRun: record)]
        var dueRefunds = 0
        for offset in 0..<3 {
            var partial = simulator.state
            let events = simulator.simulate(StateJournalTests.firstDay.adding(days: offset))
            partial.partialDay = PartialDay(date: events.day, merchantEvents: events.merchantEvents.count,
                                            transactions: events.transactions.count / 2, authorizations: events.transactions.count / 3,
                                            refunds: events.refunds.count / 2, disputes: events.disputes.count / 2, payouts: 3)
            checkpoints += [Checkpoint(state: partial, unfinishedRun: record), Checkpoint(state: simulator.state, unfinishedRun: record)]
            dueRefunds += events.refunds.count
        }
        #expect(dueRefunds > 0 && !simulator.state.pendingRefunds.isEmpty && !simulator.state.pendingDisputes.isEmpty,
                "refunds fell due, and others and disputes are still to come")
        let folder = try StateJournalTests.Folder()
        let snapshot = StateSnapshot(folder: folder.path)
        for (index, checkpoint) in checkpoints.enumerated() {
            try snapshot.save(checkpoint)
            #expect(try folder.load() == checkpoint, "checkpoint \(index)")
            #expect(checkpoint.problem == nil, "\(checkpoint.problem ?? "")")
        }
        #expect(folder.exists(folder.journal), "the checkpoints after the first day's end go to the journal")
        let journal = String(decoding: try folder.read(folder.journal), as: UTF8.self)
        #expect(journal.contains("\"refunds_due\": ") && journal.contains("\"disputes_due\": "),
                "a day's end takes its refunds and dispute events from the front of the pending ones")
        _ = try snapshot.compact()
        let text = String(decoding: try folder.read(folder.snapshot), as: UTF8.self)
        #expect(text.contains("\n  \"lifecycle\": true,\n"))
        #expect(text.contains("\n  \"scenario\": {\n    \"decline_shares\": {\"05\": 0.125, \"14\": 0.0,"), "\(text.suffix(900))")
        #expect(text.contains("\n    \"refunds\": {\"mean_wait_days\": 2.0, \"rate\": 0.02}\n  },\n"), "\(text.suffix(900))")

        var plain = checkpoints[3]
        plain.state.lifecycle = false
        plain.unfinishedRun?.kafka?.topics.removeLast(4)
        plain.unfinishedRun?.kafka?.partitions.removeLast(4)
        #expect(plain.problem == "pending_refunds in a simulation without the lifecycle")
        plain.state.pendingRefunds = []
        #expect(plain.problem == "pending_disputes in a simulation without the lifecycle")
        plain.state.pendingDisputes = []
        #expect(plain.problem == "partial_day counts lifecycle events delivered, but the simulation has no lifecycle")
        plain.state.partialDay?.authorizations = 0
        plain.state.partialDay?.refunds = 0
        plain.state.partialDay?.disputes = 0
        plain.state.partialDay?.payouts = 0
        #expect(plain.problem == "it has a scenario, but the simulation has no lifecycle")
        plain.state.scenario = .standard
        try snapshot.save(plain)
        _ = try snapshot.compact()
        let plainText = String(decoding: try folder.read(folder.snapshot), as: UTF8.self)
        #expect(!plainText.contains("lifecycle") && !plainText.contains("authorizations") && !plainText.contains("scenario")
            && !plainText.contains("refund") && !plainText.contains("dispute") && !plainText.contains("payout"))
        #expect(try folder.load() == plain)
    }

    /// A lifecycle state from before disputes and payouts (version 3) or before refunds (version
    /// 2) is read as one without their pending follow-ups; a later version is refused; and the
    /// rules between pending follow-ups hold (no dispute of a refunded payment, an opening with its closing).
    @Test func earlierLifecycleVersionsReadAndPendingFollowUpsKeepTheirRules() throws {
        var simulator = Simulator(state: SimulationState(seed: 7, lifecycle: true))
        for offset in 0..<4 { _ = simulator.simulate(StateJournalTests.firstDay.adding(days: offset)) }
        let state = simulator.state
        #expect(state.problem == nil && !state.pendingDisputes.isEmpty && !state.pendingRefunds.isEmpty)
        var older = state
        older.pendingDisputes = []
        var text = String(decoding: try JSONEncoder().encode(older), as: UTF8.self)
        #expect(text.contains("\"schema_version\":4"))
        for version in [3, 2] {
            text = text.replacingOccurrences(of: "\"schema_version\":\(version + 1)", with: "\"schema_version\":\(version)")
            #expect(try JSONDecoder().decode(SimulationState.self, from: Data(text.utf8)) == older, "version \(version)")
        }
        let later = text.replacingOccurrences(of: "\"schema_version\":2", with: "\"schema_version\":5")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SimulationState.self, from: Data(later.utf8)) }

        let opening = try #require(state.pendingDisputes.first { $0.stage == .opened })
        var refundedToo = state
        refundedToo.pendingRefunds = [Refund(paymentNumber: opening.paymentNumber, merchantNumber: opening.merchantNumber,
                                             cardNumber: opening.cardNumber, paymentTime: opening.paymentTime, paymentCents: opening.paymentCents,
                                             time: opening.time, cents: 1, reason: .priceAdjustment)]
        #expect(refundedToo.problem?.hasSuffix("is of a payment with a pending refund") == true, "\(refundedToo.problem ?? "")")
        var alone = state
        alone.pendingDisputes.removeAll { $0.paymentNumber == opening.paymentNumber && $0.stage == .closed }
        #expect(alone.problem?.hasSuffix("is an opening without its closing") == true, "\(alone.problem ?? "")")
        var unlike = state
        let index = try #require(unlike.pendingDisputes.firstIndex { $0.paymentNumber == opening.paymentNumber && $0.stage == .closed })
        unlike.pendingDisputes[index].outcome = unlike.pendingDisputes[index].outcome == .won ? .lost : .won
        #expect(unlike.problem?.hasSuffix("is an opening unlike its closing") == true, "\(unlike.problem ?? "")")
    }
}
