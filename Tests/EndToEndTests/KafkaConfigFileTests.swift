import Foundation
import Testing

/// `--kafka-config FILE`: librdkafka properties from a file, before `-X`; refusals name the file
/// and line; secret values never appear.
@Suite struct KafkaConfigFileTests {
    static let secret = "hunter2-secret"

    func configFile(_ text: String, in folder: TemporaryFolder) throws -> String {
        let path = folder.file("kafka.properties")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func checkConfig(_ extra: [String]) throws -> ChildProcess.Result {
        try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-02", "--brokers", "k1:9092",
                              "--check-config"] + extra)
    }

    @Test func fileValuesApplyAndXWins() throws {
        let folder = try TemporaryFolder()
        let path = try configFile("""
            # a deploy file
              security.protocol = SASL_PLAINTEXT\t

            sasl.mechanisms=PLAIN
            sasl.username = svc
            sasl.password=\(Self.secret)
            linger.ms=20
            """, in: folder)
        let result = try checkConfig(["--kafka-config", path, "-X", "linger.ms=50"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.contains { $0.hasPrefix("security.protocol=SASL_PLAINTEXT ") && $0.hasSuffix("(\(path):2)") }, "\(result.stdout)")
        #expect(lines.contains { $0.hasPrefix("sasl.username=svc ") && $0.hasSuffix("(\(path):5)") }, "\(result.stdout)")
        #expect(lines.contains { $0.hasPrefix("sasl.password=*** ") }, "\(result.stdout)")
        #expect(lines.contains { $0.hasPrefix("linger.ms=50 ") && $0.hasSuffix("(-X)") }, "\(result.stdout)")
        #expect(!lines.contains { $0.hasPrefix("linger.ms=20") })
        #expect(!(result.stdout + result.stderr).contains(Self.secret))
    }

    @Test(arguments: [("a=1\nthis line has no equals sign \(secret)\n", "line 1: a: No such configuration property"),
                      ("linger.ms=1\nthis line has no equals sign \(secret)\n", "line 2: this: No such configuration property"),
                      ("a=1\n\n = \(secret)\n", "line 3 has no key before its value"),
                      ("sasl.password=\(secret)\nsecurity.protocol=\(secret)\n", "line 2: security.protocol: "),
                      ("bootstrap.servers=elsewhere:9092\n", "line 1: bootstrap.servers: set the brokers with --brokers")])
    func aBadLineIsRefusedInOneLineNamingFileAndLine(text: String, phrase: String) throws {
        let folder = try TemporaryFolder()
        let path = try configFile(text, in: folder)
        let result = try checkConfig(["--kafka-config", path])
        #expect(result.status != 0)
        #expect(result.stderrLines.count == 1 && result.stderr.contains("--kafka-config \(path) \(phrase)"), "\(result.stderr)")
        #expect(!result.stderr.contains(Self.secret), "\(result.stderr)")
    }

    @Test func aMissingFileIsRefusedInOneLine() throws {
        let folder = try TemporaryFolder()
        let result = try checkConfig(["--kafka-config", folder.file("absent.properties")])
        #expect(result.status != 0)
        #expect(result.stderrLines.count == 1 && result.stderr.contains("absent.properties: cannot read it"), "\(result.stderr)")
    }

    @Test func secretsStayOutOfStderrWhenTheBrokerIsUnreachable() throws {
        let (history, before) = try generatedHistory(through: "2024-01-01")
        let path = try configFile("security.protocol=SASL_PLAINTEXT\nsasl.mechanisms=PLAIN\nsasl.username=svc\nsasl.password=\(Self.secret)\n",
                                  in: history)
        // --debug shows librdkafka's lines from the failed connection too; debug=conf has it log its configuration.
        let result = try ReplayBinary.run(["--incremental", "--date", "2024-01-02", "-f", "--output-dir", history.path, "--debug",
                                           "--brokers", "127.0.0.1:1", "--kafka-config", path, "-X", "debug=conf"])
        #expect(result.status != 0)
        #expect(result.stderrLines.last.map { $0.hasPrefix("replay: error: ") && $0.contains("127.0.0.1:1") } == true, "\(result.stderr)")
        #expect(result.stderr.contains("facility="), "librdkafka's lines are shown with --debug: \(result.stderr)")
        #expect(!result.stderr.contains(Self.secret), "\(result.stderr)")
        #expect(try history.read("merchants.json") == before)
    }
}
