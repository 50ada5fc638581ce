import Foundation
import Testing

/// `--check-config`: every option checked, what would run printed, nothing touched, no network.
@Suite struct ConfigCheckTests {
    @Test func printsWhatWouldRunWithoutTouchingTheFolderOrTheNetwork() throws {
        let parent = try TemporaryFolder()
        let output = parent.file("not-yet")
        let started = Date()
        // Nothing listens on port 1: a connection attempt would take the 10 s connect check.
        let result = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-03-30", "--output-dir", output,
                                           "--brokers", "127.0.0.1:1", "--topic-transactions", "tx", "--seed", "7",
                                           "--timezone", "America/New_York", "--pace", "3600", "--log-format", "json",
                                           "-X", "sasl.password=hunter2-secret", "-X", "linger.ms=50", "--check-config"])
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(result.status == 0, "\(result.stderr)")
        // Only the warning that a secret was given with -X, as JSON like every line in that format.
        #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix("{") && result.stderr.contains("a secret on the command line"),
                "\(result.stderr)")
        for line in ["mode: initial, 2024-01-01 to 2024-03-30 (90 days)", "output dir: \(output)", "time zone: America/New_York",
                     "pace: x3600.0", "log: json", "brokers: 127.0.0.1:1", "topics: payments.merchants, tx"] {
            #expect(result.stdout.contains(line + "\n"), "\(line) in \(result.stdout)")
        }
        #expect(result.stdout.contains("seed: 7,"))
        #expect(result.stdout.contains("  sasl.password=*** "))
        #expect(result.stdout.contains("  acks=all "))
        #expect(result.stdout.contains("  linger.ms=50 "))
        #expect(!result.stdout.contains("hunter2"))
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    /// linger.ms follows the pace unless set: fuller batches at full speed, low latency on a clock.
    @Test(arguments: [([String](), "20"), (["--pace", "3600"], "5"), (["--realtime"], "5")])
    func batchingFollowsThePace(arguments: [String], linger: String) throws {
        let dates = arguments.contains("--realtime") ? [] : ["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-02"]
        let result = try ReplayBinary.run(dates + arguments + ["--output-dir", try TemporaryFolder().file("x"), "--brokers", "k:9092", "--check-config"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").contains { $0.hasPrefix("  linger.ms=\(linger) ") && $0.hasSuffix("(default)") }, "\(result.stdout)")
    }

    @Test func anExistingFolderIsLeftAsItWas() throws {
        let (folder, before) = try generatedHistory(through: "2024-01-01")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        let result = try ReplayBinary.run(["--incremental", "--date", "2024-01-02", "--output-dir", folder.path, "--check-config"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("mode: incremental, 2024-01-02"), "\(result.stdout)")
        #expect(result.stdout.contains("brokers: embedded"), "\(result.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == names)
        #expect(try folder.read("merchants.json") == before)
    }

    @Test(arguments: [(["--initial", "--start-date", "2024-01-05", "--end-date", "2024-01-01"], "is before --start-date"),
                      (["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-01", "--pace", "slow"], "--pace"),
                      (["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-01", "--timezone", "Mars/Base"], "IANA"),
                      (["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-01", "--log-format", "xml"], "--log-format"),
                      (["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-01", "--topic-merchants", "a b"], "topic name"),
                      (["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-01", "-X", "linger.ms=soon"], "linger.ms"),
                      (["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-01", "--kafka-config", "/nonexistent/k.properties"],
                       "cannot read it")])
    func badOptionsFailAsUsual(arguments: [String], phrase: String) throws {
        let result = try ReplayBinary.run(arguments + ["--check-config", "--output-dir", "/nonexistent/out"])
        #expect(result.status != 0)
        #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix("replay: error: ") && result.stderr.contains(phrase), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }
}
