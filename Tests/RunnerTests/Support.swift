import Foundation
import Logging
import Synchronization

/// A folder under the system's temporary directory, removed when the value goes away.
final class ScratchFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("runner-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func read(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path + "/" + name)) }

    /// Lines of a text file, without the final empty one.
    func lines(_ name: String) throws -> [Substring] {
        String(decoding: try read(name), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    }

    var names: [String] { (try? FileManager.default.contentsOfDirectory(atPath: path).sorted()) ?? [] }
}

/// Keeps the messages a session logs (swift-log's handler protocol, as a log collector would implement it).
final class LogLines: LogHandler, @unchecked Sendable {
    private let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.withLock { $0.append("\(event.level): \(event.message)") }
    }

    var all: [String] { lines.withLock { $0 } }

    var logger: Logger { Logger(label: "runner-test") { _ in self } }
}
