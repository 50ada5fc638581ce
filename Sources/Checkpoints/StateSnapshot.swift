import Dispatch
import Foundation
import Simulation
import Synchronization

/// The run's commit point: `merchants.json`, the whole state written at once, and beside it
/// `merchants.journal`, the checkpoints committed since then, each as what changed (see
/// `StateJournal`). Loading reads the snapshot and applies every committed entry in order.
///
/// A checkpoint is appended to the journal (and synced) when it can be told as a change and the
/// journal stays under half the snapshot's size; otherwise, and when a run completes, the
/// snapshot is written whole (`compact`): streamed into a temporary file, synced, renamed over
/// `merchants.json`, and only then the journal removed, so that a crash in between leaves a
/// journal that names another snapshot, which no load applies. One object per folder and process:
/// it remembers the last checkpoint it loaded or committed, which the next one is told against.
public final class StateSnapshot {
    public static let fileName = "merchants.json"
    /// The journal's name, beside `merchants.json`.
    public static let journalName = "merchants.journal"
    public let path: String
    public let journalPath: String
    /// Called once a journal entry is durable, and once a whole snapshot is in place but the
    /// journal it replaces not yet removed (the fault-injection build kills the process there).
    public var reached: (SnapshotStep) -> Void = { _ in }
    /// What is on disk, as this object last loaded or committed it; nil before.
    private var committed: Committed?

    private struct Committed {
        var checkpoint: Checkpoint
        var snapshot: SnapshotIdentity
        /// Where the journal's committed entries end; nil when no journal applies to the snapshot.
        var journalEnd: Int?
        var journalEntries = 0
    }

    public init(folder: String) {
        path = folder + "/" + StateSnapshot.fileName
        journalPath = folder + "/" + StateSnapshot.journalName
    }

    /// True when `merchants.json` exists.
    public var exists: Bool { FileManager.default.fileExists(atPath: path) }

    /// The last committed checkpoint; a one-line error when the snapshot is missing, unreadable or
    /// corrupt, or the journal that applies to it is.
    public func load() throws -> Checkpoint {
        guard exists else { throw SinkError("no state at \(path): run --initial first") }
        let data = try Self.read(path)
        let snapshot = data.withUnsafeBytes { SnapshotIdentity(length: $0.count, hash: ContentHash.of($0)) }
        var checkpoint = try Self.decodeCheckpoint(data, in: path)
        if let problem = checkpoint.problem { throw SinkError("\(path) is corrupt: \(problem)") }
        var loaded = Committed(checkpoint: checkpoint, snapshot: snapshot)
        if FileManager.default.fileExists(atPath: journalPath) {
            let journal = try Self.read(journalPath)
            let contents: StateJournal.Contents
            do {
                contents = try journal.withUnsafeBytes { try StateJournal.read($0, of: snapshot) }
            } catch let damage as StateJournal.Damage {
                throw SinkError("\(journalPath) is corrupt: \(damage.reason)")
            }
            if case let .entries(payloads, end) = contents {
                for (index, payload) in payloads.enumerated() {
                    let change = try Self.decode(CheckpointChange.self, from: journal[payload], in: "\(journalPath) entry \(index + 1)")
                    do {
                        checkpoint = try change.applied(to: checkpoint)
                    } catch {
                        throw SinkError("\(journalPath) is corrupt: entry \(index + 1): \(error.reason)")
                    }
                }
                if let problem = checkpoint.problem { throw SinkError("\(journalPath) is corrupt: \(problem)") }
                loaded = Committed(checkpoint: checkpoint, snapshot: snapshot, journalEnd: end, journalEntries: payloads.count)
            }
        }
        committed = loaded
        return checkpoint
    }

    /// Commits `checkpoint`: appends what changed since the last one to the journal, or writes it
    /// whole (the first save of an object that has not loaded, a run's completion, a change that
    /// cannot be told as one, a journal that would pass half the snapshot's size).
    public func save(_ checkpoint: Checkpoint) throws {
        guard let change = change(to: checkpoint) else { return try replace(with: checkpoint) }
        try commit(checkpoint, as: change)
    }

    /// What changed from the last committed checkpoint to `checkpoint`, for a journal entry; nil
    /// when it is written whole whatever the journal holds: nothing loaded or committed before, a
    /// completed run, or a change that cannot be told as one.
    private func change(to checkpoint: Checkpoint) -> CheckpointChange? {
        guard let last = committed, checkpoint.unfinishedRun != nil else { return nil }
        return CheckpointChange(from: last.checkpoint, to: checkpoint)
    }

    /// Commits `checkpoint`, which is `change` from the last committed one: appends the change to
    /// the journal, or writes it whole when the journal would pass half the snapshot's size.
    private func commit(_ checkpoint: Checkpoint, as change: CheckpointChange) throws {
        guard var last = committed else { return try replace(with: checkpoint) }
        if change.changesNothing(in: last.checkpoint) { return }
        let header = last.journalEnd == nil ? StateJournal.header(of: last.snapshot) : []
        let budget = last.snapshot.length / 2 - (last.journalEnd ?? header.count) - StateJournal.entryHeaderSize
        guard let payload = try change.encoded(within: budget) else { return try replace(with: checkpoint) }
        let end = try withExtendedLifetime(payload) {
            let entryHeader = StateJournal.entryHeader(of: payload.bytes)
            return try header.withUnsafeBytes { header in
                try entryHeader.withUnsafeBytes { entryHeader in
                    try StateJournal.write([header, entryHeader, payload.bytes], to: journalPath, at: last.journalEnd)
                }
            }
        }
        last.checkpoint = checkpoint
        last.journalEnd = end
        last.journalEntries += 1
        committed = last
        reached(.journalAppended)
    }

    /// Commits `checkpoint` once `closingFiles` has run, as `save` does. When it is written whole (a
    /// run's completion, a first save), the snapshot is streamed into its temporary file on another
    /// thread while `closingFiles` runs on this one, and put in place only after `closingFiles`
    /// returned: a period's end writes its closing files and the state on two cores, in the same
    /// commit order. Nothing is committed when either fails.
    public func save(_ checkpoint: Checkpoint, after closingFiles: () throws -> Void) throws {
        // The change is worked out once: at a large scale it is a pass over every merchant.
        if let change = change(to: checkpoint) {
            try closingFiles()
            return try commit(checkpoint, as: change)
        }
        let path = self.path
        let prepared = PreparedSnapshot()
        let preparing = DispatchGroup()
        DispatchQueue.global().async(group: preparing) {
            let outcome = Result { try Self.prepareWhole(checkpoint, at: path) }
            prepared.outcome.withLock { $0 = outcome }
        }
        let closed = Result { try closingFiles() }
        preparing.wait()
        try closed.get()
        try putInPlace(checkpoint, try prepared.outcome.withLock { $0 }!.get())
    }

    /// Folds the journal into the snapshot: writes the last committed checkpoint whole and removes
    /// the journal (only removes it when no committed entry applies). Loads first when this object
    /// has not loaded or saved. Returns what it did, for a line to the user.
    @discardableResult
    public func compact() throws -> Compaction {
        let checkpoint = try committed?.checkpoint ?? load()
        guard FileManager.default.fileExists(atPath: journalPath) else { return .nothingToDo }
        let entries = committed?.journalEntries ?? 0
        let journalBytes = ((try? FileManager.default.attributesOfItem(atPath: journalPath)[.size]) as? Int) ?? 0
        guard entries > 0 else {
            try AtomicFile.remove(journalPath)
            committed?.journalEnd = nil
            return .removedJournal(bytes: journalBytes)
        }
        try replace(with: checkpoint)
        return .compacted(entries: entries, journalBytes: journalBytes, snapshotBytes: committed!.snapshot.length)
    }

    /// Writes `checkpoint` whole, then removes the journal. A journal that names the very bytes
    /// written (the same state as the snapshot it was written against) is removed first, so that it
    /// never applies to them.
    private func replace(with checkpoint: Checkpoint) throws {
        try putInPlace(checkpoint, try Self.prepareWhole(checkpoint, at: path))
    }

    /// Streams `checkpoint` into the temporary file of the snapshot at `path`, synced; returns its identity.
    private static func prepareWhole(_ checkpoint: Checkpoint, at path: String) throws -> SnapshotIdentity {
        try AtomicFile.prepare(path) { try StateJSONWriter.stream(checkpoint, to: $0) }
    }

    /// Puts the prepared snapshot of `checkpoint` in place of `merchants.json`, then removes the journal.
    private func putInPlace(_ checkpoint: Checkpoint, _ snapshot: SnapshotIdentity) throws {
        let namesTheseBytes = StateJournal.snapshotNamed(at: journalPath) == snapshot
        if namesTheseBytes { try AtomicFile.remove(journalPath) }
        try AtomicFile.commit(path)
        reached(.snapshotReplaced)
        if !namesTheseBytes { try AtomicFile.remove(journalPath) }
        committed = Committed(checkpoint: checkpoint, snapshot: snapshot)
    }

    private static func read(_ path: String) throws -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SinkError("cannot read \(path): \(error.localizedDescription)")
        }
    }

    /// The checkpoint in `data`: read by `StateFileReader`, or, when it refuses the text, decoded whole
    /// by `JSONDecoder` (which accepts it or says why not).
    static func decodeCheckpoint(_ data: Data, in source: String) throws -> Checkpoint {
        if let checkpoint = try? StateFileReader.checkpoint(from: data) { return checkpoint }
        return try decode(CheckpointFile.self, from: data, in: source).checkpoint
    }

    /// `data` decoded; a one-line "is corrupt" error naming `source` when it cannot be.
    static func decode<Value: Decodable>(_ type: Value.Type, from data: Data, in source: String) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw SinkError("\(source) is corrupt: \(explain(error))")
        } catch {
            throw SinkError("\(source) is corrupt: \(error)")
        }
    }

    private static func explain(_ error: DecodingError) -> String {
        switch error {
        case let .dataCorrupted(context):
            return context.debugDescription
        case let .keyNotFound(key, _):
            return "missing key '\(key.stringValue)'"
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "unexpected value at '\(path)'"
        @unknown default:
            return "\(error)"
        }
    }
}

/// A snapshot streamed into its temporary file on another thread, as it came out.
private final class PreparedSnapshot: Sendable {
    let outcome = Mutex<Result<SnapshotIdentity, any Error>?>(nil)
}

/// A moment of writing the state, named for fault injection (see `StateSnapshot.reached`).
public enum SnapshotStep: Sendable {
    /// A journal entry is durable.
    case journalAppended
    /// A whole snapshot replaced `merchants.json`; the journal it replaces is still there.
    case snapshotReplaced
}

/// What `StateSnapshot.compact` did.
public enum Compaction: Equatable, Sendable {
    /// There was no journal.
    case nothingToDo
    /// The journal held no committed entry for the snapshot (it named another one, or a crash cut
    /// its first entry short): removed.
    case removedJournal(bytes: Int)
    /// `entries` committed checkpoints folded into a snapshot of `snapshotBytes`.
    case compacted(entries: Int, journalBytes: Int, snapshotBytes: Int)
}

/// The decoded file: the state's keys, plus `unfinished_run`.
struct CheckpointFile: Decodable {
    let checkpoint: Checkpoint

    private enum CodingKeys: String, CodingKey {
        case unfinishedRun = "unfinished_run"
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        checkpoint = Checkpoint(state: try SimulationState(from: decoder),
                                unfinishedRun: try container.decodeIfPresent(RunRecord.self, forKey: .unfinishedRun))
    }
}
