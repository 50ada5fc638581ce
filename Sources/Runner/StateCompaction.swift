import Checkpoints
import Engine
import Foundation

/// `replay compact`: folds an output folder's `merchants.journal` into its `merchants.json`, under
/// the folder's lock as a run holds it. A run does this when it ends; a killed run leaves its last
/// checkpoints in the journal, where the next run (or this) finds them.
public enum StateCompaction {
    /// Compacts the state in `folder`; returns one line that says what it did. `reached` is told
    /// the moments of writing the state (the fault-injection build kills the process at one).
    public static func run(folder path: String, reached: ((CommitStep) -> Void)? = nil) throws -> String {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            throw UserError("no state at \(path)/\(StateSnapshot.fileName): run --initial first")
        }
        let folder = try OutputFolder(path: path)
        let lock = try folder.lockForWriting()
        defer { withExtendedLifetime(lock) {} }
        let snapshot = StateSnapshot(folder: folder.path)
        if let reached { snapshot.reached = { reached(CommitStep($0)) } }
        switch try snapshot.compact() {
        case .nothingToDo:
            return "\(snapshot.path) has no journal: nothing to compact"
        case let .removedJournal(bytes):
            return "removed \(snapshot.journalPath) (\(bytes) bytes), which held no checkpoint of \(snapshot.path)"
        case let .compacted(entries, journalBytes, snapshotBytes):
            return "compacted \(entries) checkpoint\(entries == 1 ? "" : "s") of \(snapshot.journalPath) (\(journalBytes) bytes) "
                + "into \(snapshot.path) (\(snapshotBytes) bytes)"
        }
    }
}
