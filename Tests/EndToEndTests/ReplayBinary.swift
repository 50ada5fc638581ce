import Foundation

/// Runs the real `replay` binary: the one `./replay test` built (REPLAY_BINARY) or the debug build.
struct ReplayBinary {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        var stderrLines: [Substring] { stderr.split(separator: "\n") }
    }

    static let path: String = {
        if let path = ProcessInfo.processInfo.environment["REPLAY_BINARY"] { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/replay").path
    }()

    /// Runs `replay arguments` with stdin from /dev/null (not a terminal) and waits for it.
    static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Drain both pipes while the process runs so that a full pipe never blocks it.
        let errors = ErrorCollector()
        let readers = DispatchGroup()
        DispatchQueue.global().async(group: readers) { errors.data = err.fileHandleForReading.readDataToEndOfFile() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        readers.wait()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errors.data, as: UTF8.self))
    }
}

/// Holds what the stderr reader collected; read only after the reader's group is done.
private final class ErrorCollector: @unchecked Sendable {
    var data = Data()
}

/// A fresh temporary folder, removed when the test ends.
final class TemporaryFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("replay-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func read(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: file(name))) }

    func lines(_ name: String) throws -> [Substring] {
        String(decoding: try read(name), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
