import DevelopmentBroker
import Foundation
import KafkaClient
import Testing

/// Output bytes that must not change: the SHA-256 of every file, of `merchants.json`, of every
/// partition's records (offset, key, timestamp, headers and value bytes, as kcat prints them) and
/// of the schemas, for a set of runs that covers each stream, format and option that shapes bytes.
/// `Golden/outputs.sha256` was recorded with the binary of commit d143e50 (before the streams became
/// declarations): a change that claims to keep every byte must leave it as it is.
@Suite(.serialized) struct GoldenOutputTests {
    static let expected: [String: String] = {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/outputs.sha256")
        let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        return Dictionary(uniqueKeysWithValues: text.split(separator: "\n").map { line in
            let parts = line.split(separator: " ", maxSplits: 1)
            return (String(parts[1]), String(parts[0]))
        })
    }()

    static let topics = ["payments.merchants", "payments.transactions"]

    /// `digests` (name → SHA-256) match the recorded ones, each and all.
    func expectRecorded(_ digests: [(String, String)]) {
        for (name, digest) in digests {
            #expect(Self.expected[name] == digest, "\(digest) \(name)")
        }
    }

    @Test func filesOnlyHistoryWithDisorderLogAndAnIncrementalDay() throws {
        let folder = try TemporaryFolder()
        let initial = try ReplayBinary.run(["--initial", "--start-date", "2024-02-27", "--end-date", "2024-03-02", "--seed", "7",
                                            "--output-dir", folder.path, "--brokers", "none", "--late-fraction", "0.1",
                                            "--duplicate-fraction", "0.02", "--disorder-log"])
        #expect(initial.status == 0, "\(initial.stderr)")
        let incremental = try ReplayBinary.run(["--incremental", "--date", "2024-03-03", "-f", "--output-dir", folder.path, "--brokers", "none"])
        #expect(incremental.status == 0, "\(incremental.stderr)")
        expectRecorded(try Self.fileDigests(folder, as: "files"))
    }

    @Test func aShardOfAFilesOnlyHistoryAtAnotherScale() throws {
        let folder = try TemporaryFolder()
        let result = try ReplayBinary.run(["--initial", "--start-date", "2023-12-30", "--end-date", "2024-01-01", "--scale", "0.5",
                                           "--shard", "1/2", "--output-dir", folder.path, "--brokers", "none"])
        #expect(result.status == 0, "\(result.stderr)")
        expectRecorded(try Self.fileDigests(folder, as: "shard"))
    }

    /// `merchants.json` of an unfinished run, as committed before anything is written.
    @Test func theRecordOfAnUnfinishedRun() throws {
        let folder = try TemporaryFolder()
        let killed = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-02", "--timezone", "Europe/Berlin",
                                           "--output-dir", folder.path, "--brokers", "none", "--late-fraction", "0.1", "--disorder-log"],
                                          environment: ["REPLAY_KILL_AT": "committed:1"])
        #expect(killed.killedBySignal, "\(killed.stderr)")
        expectRecorded([("unfinished/merchants.json", try Self.sha256(file: folder.file("merchants.json")))])
    }

    @Test func kafkaJSONWithDisorderInAZoneWithDaylightSaving() throws {
        let broker = try EmbeddedBroker(topics: Self.topics, partitions: 4)
        let folder = try TemporaryFolder()
        let result = try ReplayBinary.run(["--initial", "--start-date", "2024-03-09", "--end-date", "2024-03-10", "--seed", "11",
                                           "--timezone", "America/New_York", "--late-fraction", "0.05", "--duplicate-fraction", "0.01",
                                           "--disorder-log", "--output-dir", folder.path, "--brokers", broker.bootstrapServers])
        #expect(result.status == 0, "\(result.stderr)")
        expectRecorded(try Self.fileDigests(folder, as: "kafka-json") + Self.topicDigests(broker, partitions: 4, as: "kafka-json"))
    }

    @Test func kafkaAvro() throws {
        let registry = try SchemaRegistryServer()
        let broker = try EmbeddedBroker(topics: Self.topics, partitions: 3)
        let folder = try TemporaryFolder()
        let result = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-01",
                                           "--format", "avro", "--schema-registry", registry.url,
                                           "--output-dir", folder.path, "--brokers", broker.bootstrapServers])
        #expect(result.status == 0, "\(result.stderr)")
        expectRecorded(try Self.topicDigests(broker, partitions: 3, as: "kafka-avro"))
    }

    @Test func schemas() throws {
        var digests: [(String, String)] = []
        for topic in ["merchants", "transactions"] {
            for format in ["json-schema", "avro"] {
                let result = try ReplayBinary.run(["schema", "--topic", topic, "--format", format])
                #expect(result.status == 0, "\(result.stderr)")
                digests.append(("schema/\(topic).\(format)", Self.sha256(Data(result.stdout.utf8))))
            }
        }
        expectRecorded(digests)
    }

    /// `scenario/path` → SHA-256 of every file under `folder`, sorted by path.
    static func fileDigests(_ folder: TemporaryFolder, as scenario: String) throws -> [(String, String)] {
        let paths = (FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String] ?? []).sorted()
        return try paths.filter { !isDirectory(folder.file($0)) && !$0.hasSuffix(".lock") }.map { path in
            ("\(scenario)/\(path)", try sha256(file: folder.file(path)))
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }

    /// `scenario/topic/partition` → SHA-256 of the partition's records, as kcat prints them.
    static func topicDigests(_ broker: EmbeddedBroker, partitions: Int, as scenario: String) throws -> [(String, String)] {
        try topics.flatMap { topic in
            try (0..<partitions).map { partition in
                let dump = try ChildProcess("/bin/sh", ["-c", "kcat -C -q -b \(broker.bootstrapServers) -t \(topic) -p \(partition) -o beginning -e "
                    + "-f '%o %k %T %h %S\\n%s\\n' | sha256sum"]).finish()
                #expect(dump.status == 0, "\(dump.stderr)")
                return ("\(scenario)/\(topic)/\(partition)", String(dump.stdout.prefix(64)))
            }
        }
    }

    static func sha256(file path: String) throws -> String {
        let result = try ChildProcess("/usr/bin/sha256sum", [path]).finish()
        guard result.status == 0 else { throw HistoryFailed(message: result.stderr) }
        return String(result.stdout.prefix(64))
    }

    static func sha256(_ data: Data) -> String {
        let folder = try! TemporaryFolder()
        try! data.write(to: URL(fileURLWithPath: folder.file("data")))
        return try! sha256(file: folder.file("data"))
    }
}
