import Foundation
import Simulation

/// `merchants.json`: the run's commit point. Loaded when a run starts from a saved state and
/// replaced atomically at each checkpoint, once every sink holds what the checkpoint covers.
public final class StateSnapshot {
    public static let fileName = "merchants.json"
    public let path: String

    public init(folder: String) {
        path = folder + "/" + StateSnapshot.fileName
    }

    /// True when the file exists.
    public var exists: Bool { FileManager.default.fileExists(atPath: path) }

    /// The saved checkpoint; a one-line error when the file is missing, unreadable or corrupt.
    public func load() throws -> Checkpoint {
        guard exists else { throw SinkError("no state at \(path): run --initial first") }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SinkError("cannot read \(path): \(error.localizedDescription)")
        }
        let checkpoint: Checkpoint
        do {
            checkpoint = try JSONDecoder().decode(CheckpointFile.self, from: data).checkpoint
        } catch let error as DecodingError {
            throw SinkError("\(path) is corrupt: \(Self.explain(error))")
        } catch {
            throw SinkError("\(path) is corrupt: \(error)")
        }
        if let problem = checkpoint.problem { throw SinkError("\(path) is corrupt: \(problem)") }
        return checkpoint
    }

    /// Replaces the file with `checkpoint` (temporary file, fsync, rename), streamed a few MiB at a time.
    public func save(_ checkpoint: Checkpoint) throws {
        try AtomicFile.prepare(path) { try StateJSONWriter.stream(checkpoint, to: $0) }
        try AtomicFile.commit(path)
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

/// The decoded file: the state's keys, plus `unfinished_run`.
private struct CheckpointFile: Decodable {
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
