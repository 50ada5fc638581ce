import Foundation
import Simulation

/// `merchants.json`: loaded at the start of an incremental run and replaced atomically at each
/// checkpoint (every completed day, and a stopped day's progress), once every sink before it holds
/// what the checkpoint covers.
public final class StateSnapshot: EventSink {
    public static let fileName = "merchants.json"
    public let path: String

    public init(folder: String) {
        path = folder + "/" + StateSnapshot.fileName
    }

    /// The saved state; a one-line error when the file is missing, unreadable or corrupt.
    public func load() throws -> SimulationState {
        guard FileManager.default.fileExists(atPath: path) else {
            throw SinkError("no state at \(path): run --initial first")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SinkError("cannot read \(path): \(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(SimulationState.self, from: data)
        } catch let error as DecodingError {
            throw SinkError("\(path) is corrupt: \(Self.explain(error))")
        } catch {
            throw SinkError("\(path) is corrupt: \(error)")
        }
    }

    public func save(_ state: SimulationState) throws {
        try AtomicFile.write(StateJSONWriter.encode(state), to: path)
    }

    public func write(_ slice: EventSlice) throws {}

    public func checkpoint(_ state: SimulationState) throws {
        try save(state)
    }

    public func close(state: SimulationState, completed: Bool) throws {}

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
