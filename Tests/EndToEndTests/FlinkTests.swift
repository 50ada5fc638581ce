import Foundation
import Testing

/// Apache Flink 2.0 (PyFlink, a local mini cluster at parallelism 1) reads `replay broker` with the
/// pipeline-testing article's table definition, as written but for the broker's address, and the
/// article's claims hold on it: per-merchant daily sums and counts equal the CSV's, to the cent;
/// the duplicates and the late deliveries it sees are the disorder log's; the records its watermark
/// marks late and what its windows drop are exactly what `expected_drops.py` (the pipeline-testing
/// article's, as written) says on one partition, and among what it says on several.
@Suite(.serialized) struct FlinkTests {
    /// The article (in the Engine target's DocC catalog) whose SQL and Python blocks these tests run.
    static let articlePath = "Sources/Engine/Engine.docc/PipelineTesting.md"

    /// The pipeline-testing article's fenced block that starts with `start` and holds `marker`.
    static func articleBlock(_ start: String, holding marker: String) throws -> String {
        let article = try String(contentsOfFile: DeployTests.root + "/" + articlePath, encoding: .utf8)
        let blocks = article.components(separatedBy: "```").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        guard let block = blocks.first(where: { $0.hasPrefix(start + "\n") && $0.contains(marker) }) else {
            throw JVMTools.Missing(description: "\(articlePath) has no \(start) block with \(marker)")
        }
        return String(block.dropFirst(start.count + 1))
    }

    /// Runs Flink jobs over the pipeline-testing article's table: `sums@BROKERS` (batch: per merchant and day),
    /// `deliveries@BROKERS` (each record's payment, `replay_delivery` and whether its event time is
    /// below the watermark), `windows@BROKERS` (counts of 1-hour tumbling windows). Each writes CSV
    /// files under OUT/NAME.
    static let driver = #"""
    import sys
    from pyflink.table import EnvironmentSettings, TableEnvironment
    ddl, out = open(sys.argv[1]).read(), sys.argv[2]
    jobs = {
        "sums": (True, "merchant_id STRING, payment_day DATE, amount DECIMAL(20, 2), payments BIGINT",
                 "SELECT merchant_id, CAST(payment_timestamp AS DATE), SUM(payment_amount), COUNT(*) FROM transactions "
                 "GROUP BY merchant_id, CAST(payment_timestamp AS DATE)"),
        "deliveries": (False, "payment_id STRING, delivery STRING, late BOOLEAN",
                       "SELECT payment_id, CAST(headers['replay_delivery'] AS STRING), event_time < CURRENT_WATERMARK(event_time) "
                       "FROM transactions"),
        "windows": (False, "window_start TIMESTAMP(3), payments BIGINT",
                    "SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE transactions, DESCRIPTOR(event_time), INTERVAL '1' HOUR)) "
                    "GROUP BY window_start, window_end"),
    }
    for number, job in enumerate(sys.argv[3:]):
        name, brokers = job.split("@")
        batch, columns, query = jobs[name]
        env = TableEnvironment.create(EnvironmentSettings.in_batch_mode() if batch else EnvironmentSettings.in_streaming_mode())
        env.get_config().set("parallelism.default", "1")
        env.get_config().set("table.local-time-zone", "UTC")
        env.execute_sql(ddl.replace("localhost:9092", brokers).strip().rstrip(";"))
        env.execute_sql(f"CREATE TABLE sink ({columns}) WITH ('connector' = 'filesystem', 'path' = '{out}/{number}-{name}', 'format' = 'csv')")
        env.execute_sql("INSERT INTO sink " + query).wait()
    """#

    /// Exact cents of a decimal as Flink's CSV writes it (`5207.7`, `765`, `12.34`); nil for anything else.
    static func cents(_ text: String) -> Int? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard let whole = Int(parts[0]), parts.count <= 2 else { return nil }
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= 2, let hundredths = Int((fraction + "00").prefix(2)) else { return nil }
        return whole * 100 + hundredths
    }

    /// The rows of every CSV file Flink wrote under `folder`.
    static func rows(in folder: String) throws -> [[String]] {
        let files = try FileManager.default.subpathsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") && !$0.contains("/.") }
        return try files.flatMap { file -> [[String]] in
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder + "/" + file, isDirectory: &isFolder), !isFolder.boolValue else { return [] }
            return try TemporaryFolder.lines(folder + "/" + file).map { CSVTable.fields(of: $0) }
        }
    }

    /// The pipeline-testing article's `expected_drops.py`, as written, on `folder`; its `--list` of late records and its counts.
    static func expectedDrops(_ folder: TemporaryFolder, _ period: String, partitions: Int) throws -> (late: Set<String>, windowDrops: Int) {
        let script = try articleBlock("python", holding: "argparse")
        try Data(script.utf8).write(to: URL(fileURLWithPath: folder.file("expected_drops.py")))
        let result = try ChildProcess("/usr/bin/env", ["python3", folder.file("expected_drops.py"), folder.path, period, "10",
                                                       "--partitions", String(partitions), "--window", "60", "--list"]).finish()
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        let drops = lines.first { $0.hasPrefix("dropped by 60-minute windows: ") }.flatMap { Int($0.split(separator: " ").last!) } ?? -1
        return (Set(lines.filter { $0.hasPrefix("TXN") }.map(String.init)), drops)
    }

    /// (payment, kind) of every record Flink marked late, every record's (payment, kind), and the records its windows kept.
    static func deliveries(_ rows: [[String]]) -> (late: Set<String>, all: [(payment: String, kind: String)]) {
        let all = rows.map { ($0[0], String($0[1].split(separator: "/").last ?? "")) }
        let late = Set(zip(rows, all).filter { $0.0[2] == "true" }.map { "\($0.1.0) \($0.1.1)" })
        return (late, all)
    }

    @Test(.timeLimit(.minutes(10)))
    func flinkReadsTheBrokerWithTheArticleTableAndTheArticleClaimsHold() throws {
        let ddl = try Self.articleBlock("sql", holding: "'value.format' = 'json'")
        #expect(ddl.contains("'properties.bootstrap.servers' = 'localhost:9092'"), "the pipeline-testing article's DDL names localhost:9092")
        // Three runs into three brokers: in order on 8 partitions; with late and duplicate delivery on 1 and on 8.
        let plain = try StandaloneBroker(partitions: 8), single = try StandaloneBroker(partitions: 1), several = try StandaloneBroker(partitions: 8)
        let plainFolder = try TemporaryFolder(), singleFolder = try TemporaryFolder(), severalFolder = try TemporaryFolder()
        let disorder = ["--late-fraction", "0.1", "--max-lateness", "1h", "--duplicate-fraction", "0.02", "--disorder-log"]
        for (broker, folder, options) in [(plain, plainFolder, []), (single, singleFolder, disorder), (several, severalFolder, disorder)] {
            let run = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-03", "--output-dir", folder.path,
                                            "--brokers", broker.address] + options)
            #expect(run.status == 0, "\(run.stderr)")
        }
        let work = try TemporaryFolder()
        try Data(ddl.utf8).write(to: URL(fileURLWithPath: work.file("table.sql")))
        try Data(Self.driver.utf8).write(to: URL(fileURLWithPath: work.file("driver.py")))
        let jobs = ["sums@\(plain.address)", "deliveries@\(single.address)", "windows@\(single.address)",
                    "deliveries@\(several.address)", "windows@\(several.address)"]
        let flink = try ChildProcess("/usr/bin/env", ["python3", work.file("driver.py"), work.file("table.sql"), work.file("out")] + jobs).finish()
        try #require(flink.status == 0, "\(flink.stderr.suffix(3000))")
        let period = "2024-01-01_2024-01-03"

        // Sums and counts per merchant and day, to the cent.
        var expected: [String: (cents: Int, count: Int)] = [:]
        for row in CSVTable(try plainFolder.lines("transactions_\(period).csv")).rows {
            let key = row["merchant_id"]! + " " + row["payment_timestamp"]!.prefix(10)
            let cents = Int(row["payment_amount"]!.replacingOccurrences(of: ".", with: ""))!
            expected[key, default: (0, 0)].cents += cents
            expected[key, default: (0, 0)].count += 1
        }
        let sums = try Self.rows(in: work.file("out/0-sums"))
        #expect(sums.count == expected.count)
        for row in sums {
            let key = row[0] + " " + row[1]
            #expect(expected[key].map { ($0.cents, $0.count) } ?? (-1, 0) == (Self.cents(row[2]), Int(row[3])!), "\(key): \(row)")
        }

        // One partition: the deliveries are the log's, and what the watermark marks late and the windows drop is the script's.
        let log = CSVTable(try singleFolder.lines("disorder_\(period).csv")).rows
        let single1 = Self.deliveries(try Self.rows(in: work.file("out/1-deliveries")))
        let payments = CSVTable(try singleFolder.lines("transactions_\(period).csv")).rows.map { $0["payment_id"]! }
        #expect(single1.all.filter { $0.kind != "duplicate" }.map(\.payment).sorted() == payments.sorted())
        for kind in ["late", "duplicate"] {
            #expect(single1.all.filter { $0.kind == kind }.map(\.payment).sorted() == log.filter { $0["kind"] == kind }.map { $0["payment_id"]! }.sorted(),
                    "\(kind)")
        }
        let model1 = try Self.expectedDrops(singleFolder, period, partitions: 1)
        #expect(single1.late == model1.late && !model1.late.isEmpty, "Flink \(single1.late.count) late, the script \(model1.late.count)")
        let kept1 = try Self.rows(in: work.file("out/2-windows")).reduce(0) { $0 + Int($1[1])! }
        #expect(single1.all.count - kept1 == model1.windowDrops && model1.windowDrops < model1.late.count)

        // Eight partitions: Flink's watermark is the minimum over the partitions it reads; the script's per-partition one is a bound.
        let several8 = Self.deliveries(try Self.rows(in: work.file("out/3-deliveries")))
        let model8 = try Self.expectedDrops(severalFolder, period, partitions: 8)
        #expect(several8.late.isSubset(of: model8.late), "\(several8.late.subtracting(model8.late).prefix(5))")
        let kept8 = try Self.rows(in: work.file("out/4-windows")).reduce(0) { $0 + Int($1[1])! }
        #expect(several8.all.count - kept8 <= model8.windowDrops)
        print("FlinkTests: late on 1 partition \(single1.late.count) (script \(model1.late.count)), window drops \(single1.all.count - kept1) "
            + "(script \(model1.windowDrops)); on 8 partitions \(several8.late.count) of the script's \(model8.late.count), "
            + "window drops \(several8.all.count - kept8) of \(model8.windowDrops)")
    }
}
