import DevelopmentBroker
import Foundation
import KafkaClient
import Testing

/// librdkafka's own lines reach the user through the logger, with their metadata, in both log
/// formats; with `--log-format json` every line on stderr is one JSON object.
@Suite struct LibrdkafkaLogTests {
    /// A run whose broker goes away for good on its second day; messages expire after 2 s.
    func runLosingItsBroker(_ format: String) throws -> (ChildProcess.Result, broker: String) {
        let broker = try EmbeddedBroker(topics: KafkaStreamTests.topics, partitions: 4)
        let folder = try TemporaryFolder()
        let child = try ReplayBinary.start(["--initial", "--start-date", "2024-03-04", "--end-date", "2024-03-06", "--debug",
                                            "--output-dir", folder.path, "--brokers", broker.bootstrapServers, "--pace", "20000",
                                            "-X", "message.timeout.ms=2000", "--log-format", format])
        #expect(child.wait(for: "2024-03-04: ", on: 1))
        broker.setBroker(1, up: false)
        return (child.finish(), broker.bootstrapServers)
    }

    @Test func aDownedBrokerIsToldInJSONLinesWithLibrdkafkasFacility() throws {
        let (result, broker) = try runLosingItsBroker("json")
        #expect(result.status == 1)
        let lines = try result.stderrLines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
        }
        for line in lines {
            #expect(Set(line.keys) == ["time", "level", "message", "metadata", "label"], "\(line)")
            let time = try #require(line["time"] as? String)
            #expect(time.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(time)")
            let metadata = try #require(line["metadata"] as? [String: Any])
            #expect(metadata.values.allSatisfy { $0 is String }, "\(metadata)")
        }
        let librdkafka = lines.filter { ($0["metadata"] as? [String: String])?["facility"] != nil }
        #expect(!librdkafka.isEmpty, "\(result.stderr)")
        #expect(librdkafka.allSatisfy { ($0["metadata"] as? [String: String])?["client"] == "replay#producer-1" })
        #expect(librdkafka.contains { ["warning", "error"].contains($0["level"] as? String) }, "\(result.stderr)")
        // The run's own end: one object at level error naming the broker.
        let last = try #require(lines.last)
        #expect(last["level"] as? String == "error" && (last["message"] as? String)?.contains(broker) == true, "\(result.stderr)")
    }

    @Test func textLinesCarryTheMetadataAndTheErrorStaysOnePlainLine() throws {
        let (result, broker) = try runLosingItsBroker("text")
        #expect(result.status == 1)
        #expect(result.stderrLines.contains { $0.contains("facility=FAIL") && $0.contains("client=replay#producer-1") }, "\(result.stderr)")
        #expect(result.stderrLines.last.map { $0.hasPrefix("replay: error: ") && $0.contains(broker) } == true, "\(result.stderr)")
        #expect(result.stderrLines.filter { $0.hasPrefix("replay: error: ") }.count == 1)
    }

    @Test func aRefusedCommandLineIsOneJSONLineInJSONMode() throws {
        let result = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-01",
                                           "--scale", "0", "--log-format", "json"])
        #expect(result.status != 0)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        let line = try #require(try JSONSerialization.jsonObject(with: Data(result.stderr.utf8)) as? [String: Any])
        #expect(line["level"] as? String == "error" && (line["message"] as? String)?.contains("--scale") == true, "\(line)")
    }

    @Test func theRunsOwnLinesAreJSONObjectsToo() throws {
        let folder = try TemporaryFolder()
        let result = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-02",
                                           "--output-dir", folder.path, "--brokers", "none", "--log-format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try result.stderrLines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(lines.contains { ($0["message"] as? String)?.hasPrefix("generated 2024-01-01..2024-01-02") == true && $0["level"] as? String == "info" })
    }
}
