import Foundation
import PropertyBased
import Checkpoints
import Testing

/// Random command lines, good and bad, on the real binary over a folder that holds a history:
/// each gives a run that leaves a `merchants.json` that loads, or an error on stderr and a
/// non-zero exit with the folder's `merchants.json` as it was; never a crash, never a hang.
@Suite struct CommandLinePropertyTests {
    /// Pieces of command lines. Dates are close together and paces fast, so that every run that is
    /// accepted ends within seconds; a live feed comes only with `--check-config` (it runs until stopped).
    static let pieces: [[String]] = [
        ["--initial"], ["--initial"], ["--incremental"], ["--realtime", "--check-config"],
        ["--start-date", "2024-01-01"], ["--start-date", "2023-12-31"], ["--start-date", "2024-02-30"], ["--start-date", "x"],
        ["--end-date", "2024-01-02"], ["--end-date", "2024-01-04"], ["--end-date", ""], ["--end-date", "-1"],
        ["--date", "2024-01-03"], ["--date", "2024-01-02"], ["--date", "2024-01-09"], ["--date", "1969-12-31"], ["--date"],
        ["-f"], ["--force"], ["--debug"], ["--quiet"], ["--check-config"],
        ["--seed", "7"], ["--seed", "-1"], ["--seed", "18446744073709551616"], ["--seed", "abc"],
        ["--scale", "0.5"], ["--scale", "0.01"], ["--scale", "10001"], ["--scale", "nan"], ["--scale", "-1"],
        ["--pace", "max"], ["--pace", "1e7"], ["--pace", "0.001"], ["--pace", "-1"], ["--pace", "inf"], ["--pace", "fast"],
        ["--timezone", "America/New_York"], ["--timezone", "UTC"], ["--timezone", "Mars/Phobos"], ["--timezone", ""],
        ["--brokers", "none"], ["--brokers", "none"], ["--brokers", "embedded"], ["--brokers", ""],
        ["--topic-transactions", "a b"], ["--topic-merchants", "payments.transactions"], ["--topic-merchants", "m2"],
        ["--format", "avro"], ["--format", "xml"], ["--schema-registry", "ftp://x"],
        ["-X", "linger.ms=5"], ["-X", "acks=1"], ["-X", "nonsense=1"], ["-X", "bootstrap.servers=x"], ["-X", "novalue"],
        ["--late-fraction", "0.2"], ["--late-fraction", "2"], ["--max-lateness", "1h"], ["--max-lateness", "8d"], ["--max-lateness", "x"],
        ["--duplicate-fraction", "0.1"], ["--duplicate-fraction", "-0.1"], ["--disorder-log"],
        ["--shard", "0/2"], ["--shard", "2/2"], ["--shard", "auto/2"], ["--shard", "x"],
        ["--log-format", "json"], ["--log-format", "xml"], ["--metrics-port", "0"], ["--metrics-port", "-1"], ["--metrics-port", "70000"],
        ["--metrics-address", "nowhere"], ["--metrics-linger", "-1"], ["--kafka-config", "/dev/null/x"],
        ["--bogus"], ["extra"], ["--"], ["-"],
    ]

    @Test func anyCommandLineRunsOrIsRefusedWithoutHarmingTheFolder() async throws {
        let (history, state) = try generatedHistory(through: "2024-01-02")
        let plain = try TemporaryFolder()
        try Data("x".utf8).write(to: URL(fileURLWithPath: plain.file("file")))
        let input = Gen.int(in: 0...(Self.pieces.count - 1)).array(of: 1...9)
        await propertyCheck(count: 120, input: input, Gen.int(in: 0...3)) { choices, folderChoice in
            do {
                let folder = try TemporaryFolder()
                // Most lines run over a copy of the history; some over an empty folder or a path under a file.
                let target = folderChoice == 3 ? plain.file("file") + "/sub" : folder.path
                if folderChoice < 2 { try Self.copy(history.path, to: folder.path) }
                let arguments = choices.flatMap { Self.pieces[$0] } + ["--output-dir", target]
                let before = try? folder.read("merchants.json")
                let child = try ReplayBinary.start(arguments)
                let finished = DispatchSemaphore(value: 0)
                DispatchQueue.global().async { _ = child.finish(); finished.signal() }
                guard finished.wait(timeout: .now() + 90) == .success else {
                    child.signal(SIGKILL)
                    Issue.record("\(arguments.joined(separator: " ")): no answer within 90 s")
                    return
                }
                let result = child.finish()
                let line = arguments.joined(separator: " ")
                #expect(!result.killedBySignal, "\(line): killed by signal \(result.status): \(result.stderr)")
                for crash in ["Fatal error", "Swift runtime failure", "Backtrace", "Illegal instruction"] {
                    #expect(!result.stderr.contains(crash), "\(line): \(result.stderr)")
                }
                if result.status == 0 {
                    if FileManager.default.fileExists(atPath: folder.file("merchants.json")) {
                        #expect(throws: Never.self, "\(line)") { try StateSnapshot(folder: folder.path).load() }
                    }
                } else {
                    let last = result.stderrLines.last.map(String.init) ?? ""
                    #expect(last.hasPrefix("replay: error: ") || last.hasPrefix("{"), "\(line): \(result.stderr)")
                    if result.status == 64 { #expect(result.stderrLines.count == 1, "\(line): \(result.stderr)") }
                    #expect((try? folder.read("merchants.json")) == before, "\(line): merchants.json changed")
                }
            } catch {
                Issue.record("\(choices): \(error)")
            }
        }
        #expect(try history.read("merchants.json") == state)
    }

    static func copy(_ source: String, to destination: String) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: source) where !name.hasPrefix(".") {
            try FileManager.default.copyItem(atPath: source + "/" + name, toPath: destination + "/" + name)
        }
    }
}
