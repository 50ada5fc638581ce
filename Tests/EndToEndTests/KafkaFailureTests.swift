import Foundation
import Testing

/// Kafka failures are clear, fast, keep secrets and leave merchants.json alone.
@Suite struct KafkaFailureTests {
    func history() throws -> (TemporaryFolder, Data) { try generatedHistory(through: "2024-01-01") }

    @Test func anUnreachableBrokerFailsWithinThirtySecondsNamingIt() throws {
        let (folder, before) = try history()
        let started = Date()
        let result = try ReplayBinary.run(["--incremental", "--date", "2024-01-02", "-f", "--output-dir", folder.path,
                                           "--brokers", "127.0.0.1:1", "-X", "sasl.password=hunter2-secret"])
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(result.status != 0)
        // One error line, after the warning that a secret was given with -X.
        #expect(result.stderrLines.filter { !$0.hasPrefix("warning: ") }.count == 1 && result.stderr.contains("127.0.0.1:1"), "\(result.stderr)")
        #expect(result.stderr.contains("warning: -X sasl.password: a secret on the command line"))
        #expect(!result.stderr.contains("hunter2"))
        #expect(try folder.read("merchants.json") == before)
        #expect(!FileManager.default.fileExists(atPath: folder.file("transactions_2024-01-02_2024-01-02.csv")))
    }

    @Test(arguments: [("no.such.property=1", "no.such.property"), ("linger.ms=soon", "linger.ms"), ("acks", "key=value"),
                      ("ssl.key.password", "key=value")])
    func aBadPropertyIsRefusedUpFrontByName(property: String, phrase: String) throws {
        let (folder, before) = try history()
        let result = try ReplayBinary.run(["--incremental", "--date", "2024-01-02", "-f", "--output-dir", folder.path,
                                           "-X", property])
        #expect(result.status != 0)
        #expect(result.stderrLines.filter { !$0.hasPrefix("warning: ") }.count == 1 && result.stderr.contains(phrase), "\(result.stderr)")
        #expect(try folder.read("merchants.json") == before)
    }
}
