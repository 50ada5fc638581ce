import Foundation
import Testing

/// Sharded replays on the real binary: N processes with `--shard I/N`, each publishing its own
/// partitions to one `replay broker`, give what one unsharded run gives to another broker.
@Suite(.serialized) struct ShardTests {
    let period = (start: "2024-03-01", end: "2024-03-10")
    let transactionsFile = "transactions_2024-03-01_2024-03-10.csv"
    let merchantsFile = "merchants_2024-03-01_2024-03-10.csv"

    func command(_ folder: String, brokers: String, shard: String? = nil) -> [String] {
        ["--initial", "--start-date", period.start, "--end-date", period.end, "--output-dir", folder, "--brokers", brokers]
            + (shard.map { ["--shard", $0] } ?? [])
    }

    /// One line per record of a topic, grouped by partition in offset order.
    func partitions(_ topic: String, at broker: String) throws -> [Int: [String]] {
        Dictionary(grouping: try Kcat.consume(topic, from: broker), by: \.partition).mapValues { records in
            records.sorted { $0.offset < $1.offset }.map { "\($0.offset) \($0.key) \($0.timestamp) \($0.headers) \($0.rawValue)" }
        }
    }

    /// The data rows of `file` in every folder, sorted (a multiset).
    func rows(_ file: String, in folders: [String]) throws -> [Substring] {
        try folders.flatMap { folder in
            String(decoding: try Data(contentsOf: URL(fileURLWithPath: folder + "/" + file)), as: UTF8.self)
                .split(separator: "\n").dropFirst()
        }.sorted()
    }

    @Test func threeShardsOneKilledTwiceGiveWhatOneRunGives() throws {
        let single = try StandaloneBroker(), sharded = try StandaloneBroker()
        let singleFolder = try TemporaryFolder(), root = try TemporaryFolder()
        let whole = try ReplayBinary.run(command(singleFolder.path, brokers: single.address))
        #expect(whole.status == 0, "\(whole.stderr)")

        // Shard 1 dies twice: after Kafka acknowledged a checkpoint's events but before merchants.json
        // recorded them, and mid-run; the same command then finishes it. (Paced at 10 days a second,
        // so that it checkpoints at each day's end; the pace is not part of what shards agree on.)
        let killed = command(root.path, brokers: sharded.address, shard: "1/3") + ["--pace", "864000"]
        for step in ["sinks-durable:2", "slice-written:5"] {
            let result = try ReplayBinary.run(killed, environment: ["REPLAY_KILL_AT": step])
            #expect(result.killedBySignal && result.status == SIGKILL, "\(step): \(result.stderr)")
        }
        let shards = try (0..<3).map { try ReplayBinary.start(command(root.path, brokers: sharded.address, shard: "\($0)/3")) }
        for (index, shard) in shards.enumerated() {
            let result = shard.finish()
            #expect(result.status == 0, "shard \(index): \(result.stderr)")
            #expect(result.stderr.contains("shard \(index)/3: partitions p with p mod 3 = \(index)"), "\(result.stderr)")
        }

        for topic in ["payments.merchants", "payments.transactions"] {
            let expected = try partitions(topic, at: single.address), actual = try partitions(topic, at: sharded.address)
            #expect(expected.keys.sorted() == Array(0..<8), "\(topic)")
            #expect(actual.keys.sorted() == expected.keys.sorted(), "\(topic)")
            for (partition, records) in expected { #expect(actual[partition] == records, "\(topic) partition \(partition)") }
        }
        let shardFolders = (0..<3).map { root.path + "/shard-\($0)-of-3" }
        for file in [transactionsFile, merchantsFile] {
            let union = try rows(file, in: shardFolders), expected = try rows(file, in: [singleFolder.path])
            #expect(union.count > 0 && union == expected, "\(file)")
        }
        // Every shard simulated everything: its state is the whole simulation's.
        for folder in shardFolders {
            #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/merchants.json")) == singleFolder.read("merchants.json"))
        }
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root.file("shards_2024-03-01_2024-03-10.json")))) as! [String: Any]
        #expect(manifest["shard_count"] as? Int == 3 && manifest["partition_counts"] as? [Int] == [8, 8])
    }

    /// Three files-only shards started at once (they race to create the manifest), then an
    /// incremental day in each; `--shard 0/1` is an unsharded run.
    @Test func filesOnlyShardsStartedAtOnceSplitTheRowsByTheKey() throws {
        let single = try TemporaryFolder(), root = try TemporaryFolder(), whole = try TemporaryFolder()
        #expect(try ReplayBinary.run(command(single.path, brokers: "none")).status == 0)
        #expect(try ReplayBinary.run(command(whole.path, brokers: "none", shard: "0/1")).status == 0)
        for file in [transactionsFile, merchantsFile, "merchants.json"] { #expect(try whole.read(file) == single.read(file), "\(file)") }

        let shards = try (0..<3).map { index in
            try ReplayBinary.start(command(root.path, brokers: "none", shard: "auto/3"), environment: ["JOB_COMPLETION_INDEX": "\(index)"])
        }
        for shard in shards {
            let result = shard.finish()
            #expect(result.status == 0, "\(result.stderr)")
        }
        let incremental = ["--incremental", "--date", "2024-03-11", "-f", "--brokers", "none"]
        #expect(try ReplayBinary.run(incremental + ["--output-dir", single.path]).status == 0)
        for index in 0..<3 {
            let result = try ReplayBinary.run(incremental + ["--output-dir", root.path, "--shard", "\(index)/3"])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let folders = (0..<3).map { root.path + "/shard-\($0)-of-3" }
        for file in [transactionsFile, merchantsFile, "transactions_2024-03-11_2024-03-11.csv", "merchants_2024-03-11_2024-03-11.csv"] {
            let union = try rows(file, in: folders), expected = try rows(file, in: [single.path])
            #expect(union == expected, "\(file)")
            // Each merchant's rows are in one shard only.
            let merchantSets = try folders.map { folder in
                Set(try rows(file, in: [folder]).map { CSVTable.fields(of: $0)[file.hasPrefix("merchants") ? 0 : 13] })
            }
            for (a, b) in [(0, 1), (0, 2), (1, 2)] { #expect(merchantSets[a].isDisjoint(with: merchantSets[b]) && !merchantSets[a].isEmpty) }
        }
        for folder in folders { #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/merchants.json")) == single.read("merchants.json")) }
    }

    /// Two shards that disagree, started at once: the manifest lets exactly one of them run.
    @Test func ofTwoMismatchedShardsStartedAtOnceExactlyOneRuns() throws {
        let root = try TemporaryFolder()
        let shards = try [("0/2", "42"), ("1/2", "7")].map { shard, seed in
            try ReplayBinary.start(command(root.path, brokers: "none", shard: shard) + ["--seed", seed])
        }
        let results = shards.map { $0.finish() }
        #expect(results.filter { $0.status == 0 }.count == 1, "\(results.map(\.stderr))")
        let refused = try #require(results.first { $0.status != 0 })
        #expect(refused.stderr.contains("does not match the sharded run") && refused.stderr.contains("seed"), "\(refused.stderr)")
    }

    @Test func shardsOnTopicsOfOtherPartitionCountsAreRefused() throws {
        let root = try TemporaryFolder(), eight = try StandaloneBroker(partitions: 8), four = try StandaloneBroker(partitions: 4)
        #expect(try ReplayBinary.run(command(root.path, brokers: eight.address, shard: "0/2")).status == 0)
        let result = try ReplayBinary.run(command(root.path, brokers: four.address, shard: "1/2"))
        #expect(result.status != 0 && result.stderr.contains("partition counts [4, 4] here, [8, 8] there"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root.path + "/shard-1-of-2/merchants.json"))
    }

    @Test func mismatchedShardsAreRefusedWithOneLine() throws {
        let root = try TemporaryFolder(), broker = try StandaloneBroker()
        #expect(try ReplayBinary.run(command(root.path, brokers: "none", shard: "0/2")).status == 0)
        let mismatches: [([String], String)] = [
            (command(root.path, brokers: "none", shard: "1/2") + ["--seed", "7"], "seed 7 here, 42 there"),
            (command(root.path, brokers: "none", shard: "1/2") + ["--scale", "2"], "scale 2.0 here, 1.0 there"),
            (command(root.path, brokers: "none", shard: "1/3"), "shard count 3 here, 2 there"),
            (command(root.path, brokers: broker.address, shard: "1/2"), "topics payments.merchants,payments.transactions here, none (files only) there"),
            (["--initial", "--start-date", period.start, "--end-date", "2024-03-12", "--output-dir", root.path,
              "--brokers", "none", "--shard", "1/2"], "period 2024-03-01 to 2024-03-12 here, 2024-03-01 to 2024-03-10 there"),
        ]
        for (arguments, phrase) in mismatches {
            let result = try ReplayBinary.run(arguments)
            #expect(result.status != 0 && result.stderrLines.filter { $0.hasPrefix("replay: error: ") }.count == 1, "\(result.stderr)")
            #expect(result.stderr.contains(phrase), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: root.path + "/shard-1-of-2/merchants.json"))
        }
        let matching = try ReplayBinary.run(command(root.path, brokers: "none", shard: "1/2"))
        #expect(matching.status == 0, "\(matching.stderr)")
    }

    @Test(arguments: [
        (["--shard", "3/3"], [:], "expected I/N"),
        (["--shard", "1"], [:], "expected I/N"),
        (["--shard", "1/x"], [:], "expected I/N"),
        (["--shard", "0/0"], [:], "expected I/N"),
        (["--shard", "auto/2"], [:], "JOB_COMPLETION_INDEX, which is not set"),
        (["--shard", "auto/2"], ["JOB_COMPLETION_INDEX": "2"], "JOB_COMPLETION_INDEX=2 is not an index from 0 to 1"),
        (["--shard", "0/2", "--brokers", "embedded"], [:], "an embedded broker lives in one process"),
    ] as [([String], [String: String], String)])
    func badShardArgumentsAreRefused(arguments: [String], environment: [String: String], phrase: String) throws {
        let folder = try TemporaryFolder()
        let result = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-02",
                                           "--output-dir", folder.path] + (arguments.contains("--brokers") ? [] : ["--brokers", "none"]) + arguments,
                                          environment: environment)
        #expect(result.status != 0 && result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("replay: error: ") && result.stderr.contains(phrase), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func moreShardsThanPartitionsAndALiveFeedAreRefused() throws {
        let broker = try StandaloneBroker(partitions: 2)
        let folder = try TemporaryFolder()
        let result = try ReplayBinary.run(command(folder.path, brokers: broker.address, shard: "0/3"))
        #expect(result.status != 0 && result.stderr.contains("payments.merchants has 2 partitions, fewer than the 3 shards"), "\(result.stderr)")
        let live = try ReplayBinary.run(["--realtime", "--output-dir", folder.path, "--brokers", "none", "--shard", "0/2"])
        #expect(live.status != 0 && live.stderr.contains("a live feed runs as one process"), "\(live.stderr)")
    }
}
