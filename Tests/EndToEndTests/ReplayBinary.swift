import Foundation

/// A child process whose stdout and stderr are collected as it runs, so that a test can wait
/// for a line it prints (an event, not a guess at timing).
final class ChildProcess: @unchecked Sendable {
    struct Result {
        /// The exit status, or the signal that ended the process.
        let status: Int32
        let killedBySignal: Bool
        let stdout: String
        let stderr: String
        var stderrLines: [Substring] { stderr.split(separator: "\n") }
    }

    private let process = Process()
    private let condition = NSCondition()
    private var output = [Data(), Data()]
    private var open = 2
    private let readers = DispatchGroup()

    /// Starts `executable`; `environment` is added to this process's own.
    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        let pipes = [Pipe(), Pipe()]
        process.standardOutput = pipes[0]
        process.standardError = pipes[1]
        try process.run()
        for (index, pipe) in pipes.enumerated() {
            DispatchQueue.global().async(group: readers) { [self] in
                let descriptor = pipe.fileHandleForReading.fileDescriptor
                var block = [UInt8](repeating: 0, count: 65_536)
                while true {
                    // Plain read(2), retried on EINTR: FileHandle.availableData traps when a signal
                    // (SIGCHLD of the many children) interrupts it.
                    let count = block.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                    if count < 0 && errno == EINTR { continue }
                    condition.lock()
                    if count <= 0 { open -= 1 } else { output[index].append(contentsOf: block[0..<count]) }
                    condition.broadcast()
                    condition.unlock()
                    if count <= 0 { return }
                }
            }
        }
    }

    /// Waits until stdout (0) or stderr (1) holds `text`; false if the stream closed first or `timeout` passed.
    func wait(for text: String, on stream: Int, timeout: Double = 60) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while !String(decoding: output[stream], as: UTF8.self).contains(text) {
            if open == 0 || !condition.wait(until: deadline) { return false }
        }
        return true
    }

    var text: (stdout: String, stderr: String) {
        condition.lock()
        defer { condition.unlock() }
        return (String(decoding: output[0], as: UTF8.self), String(decoding: output[1], as: UTF8.self))
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    var pid: Int32 { process.processIdentifier }

    /// Waits for the process to exit and both streams to close.
    func finish() -> Result {
        process.waitUntilExit()
        readers.wait()
        let (stdout, stderr) = text
        return Result(status: process.terminationStatus, killedBySignal: process.terminationReason == .uncaughtSignal,
                      stdout: stdout, stderr: stderr)
    }
}

/// Runs the real `replay` binary: the one `./replay test` built (REPLAY_BINARY) or the debug build.
enum ReplayBinary {
    static let path: String = {
        if let path = ProcessInfo.processInfo.environment["REPLAY_BINARY"] { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/replay").path
    }()

    /// `replay-fault-injection`, built beside `replay`: the same command line with `REPLAY_KILL_AT` and `REPLAY_DAY_PARTS`.
    static var faultInjectionPath: String { sibling("replay-fault-injection") }

    /// A binary built beside `replay` (`replay-bench`, `replay-fault-injection`).
    static func sibling(_ name: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Starts `replay arguments`; with `REPLAY_KILL_AT` or `REPLAY_DAY_PARTS` in `environment`, the
    /// fault-injection build (the shipped binary reads neither).
    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> ChildProcess {
        let injects = environment["REPLAY_KILL_AT"] != nil || environment["REPLAY_DAY_PARTS"] != nil
        return try ChildProcess(injects ? faultInjectionPath : path, arguments, environment: environment)
    }

    /// Runs `replay arguments` with stdin from /dev/null (not a terminal) to the end.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> ChildProcess.Result {
        try start(arguments, environment: environment).finish()
    }
}

/// A folder holding a files-only history from 2024-01-01 through `end`, and its merchants.json bytes.
func generatedHistory(through end: String) throws -> (TemporaryFolder, Data) {
    let folder = try TemporaryFolder()
    let result = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", end,
                                       "--output-dir", folder.path, "--brokers", "none"])
    guard result.status == 0 else { throw HistoryFailed(message: result.stderr) }
    return (folder, try folder.read("merchants.json"))
}

struct HistoryFailed: Error { let message: String }

/// A fresh temporary folder, removed when the test ends.
final class TemporaryFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("replay-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func read(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: file(name))) }

    func lines(_ name: String) throws -> [Substring] { try Self.lines(file(name)) }

    /// The bytes of `merchants.json` and of `merchants.journal` (nil when there is none): the
    /// state as a killed run leaves it, the last checkpoints in the journal.
    func state() throws -> [Data?] {
        [try read("merchants.json"), FileManager.default.fileExists(atPath: file("merchants.journal")) ? try read("merchants.journal") : nil]
    }

    /// The lines of the file at `path` (without the empty string after the last line end).
    static func lines(_ path: String) throws -> [Substring] {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
