import Records
import Foundation
import Simulation
import Testing

/// Late and duplicate delivery on the real binary, read back over TCP with kcat from `replay
/// broker`: the files stay the truth, the log says exactly what the stream does differently, the
/// order in every partition follows from the files and the log alone, and a killed run delivers
/// every delivery once.
@Suite(.serialized) struct DisorderTests {
    let disorder = ["--late-fraction", "0.1", "--max-lateness", "2h", "--duplicate-fraction", "0.02", "--disorder-log"]

    func history(_ folder: TemporaryFolder, _ start: String, _ end: String, brokers: String, topics: String) -> [String] {
        ["--initial", "--start-date", start, "--end-date", end, "--output-dir", folder.path, "--brokers", brokers,
         "--topic-merchants", topics + ".m", "--topic-transactions", topics + ".t"]
    }

    @Test func theStreamIsTheFilesDeliveredInTheLoggedOrder() throws {
        let broker = try StandaloneBroker(partitions: 16)
        let folder = try TemporaryFolder(), reference = try TemporaryFolder()
        let first = try ReplayBinary.run(history(folder, "2024-03-01", "2024-03-05", brokers: broker.address, topics: "order") + disorder)
        #expect(first.status == 0, "\(first.stderr)")
        // An incremental day with the same options: a later run, whose deliveries follow all of the first run's.
        let next = try ReplayBinary.run(["--incremental", "--date", "2024-03-06", "-f", "--output-dir", folder.path, "--brokers", broker.address,
                                         "--topic-merchants", "order.m", "--topic-transactions", "order.t"] + disorder)
        #expect(next.status == 0, "\(next.stderr)")
        let plain = try ReplayBinary.run(history(reference, "2024-03-01", "2024-03-05", brokers: "none", topics: "unused"))
        #expect(plain.status == 0, "\(plain.stderr)")

        // The files are the same bytes as without disorder.
        for name in ["transactions_2024-03-01_2024-03-05.csv", "merchants_2024-03-01_2024-03-05.csv"] {
            #expect(try folder.read(name) == reference.read(name), "\(name) differs from a run without disorder")
        }
        let runs = [
            try DeliveryRun(folder: folder, period: "2024-03-01_2024-03-05"),
            try DeliveryRun(folder: folder, period: "2024-03-06_2024-03-06"),
        ]
        for (run, result) in zip(runs, [first, next]) {
            #expect(result.stderr.contains("disorder: delivered \(run.logged(.late)) late and \(run.logged(.duplicate)) duplicates\n"),
                    "\(result.stderr)")
        }
        let rows = runs.flatMap(\.rows), log = runs.flatMap(\.log)

        // Shares and delays over the six days.
        let late = log.filter { $0.kind == .late }, duplicates = log.filter { $0.kind == .duplicate }
        expectShare(late.count, of: rows.count, near: 0.1, "late")
        expectShare(duplicates.count, of: rows.count, near: 0.02, "duplicate")
        let eventTime = Dictionary(uniqueKeysWithValues: rows.map { ($0.paymentId, $0.eventTime) })
        let delays = late.map { seconds($0.deliveredAt) - seconds(eventTime[$0.paymentId]!) }
        #expect(delays.allSatisfy { (1...7_200).contains($0) })
        // Log-uniform by doubling: each of the 13 octaves (1, 2-3, 4-7, ..., 4096-7200 s) holds a 13th of the delays.
        for octave in 0..<13 {
            let inOctave = delays.filter { $0 >= 1 << octave && $0 < 1 << (octave + 1) }.count
            expectShare(inOctave, of: delays.count, near: 1.0 / 13, "delays in octave \(octave)")
        }
        let lateAt = Dictionary(uniqueKeysWithValues: late.map { ($0.paymentId, seconds($0.deliveredAt)) })
        for duplicate in duplicates {
            let first = lateAt[duplicate.paymentId] ?? seconds(eventTime[duplicate.paymentId]!)
            #expect((1...30).contains(seconds(duplicate.deliveredAt) - first), "retry delay of \(duplicate.paymentId)")
        }

        // Kafka: every row once, plus exactly the logged duplicates, byte-identical to their first delivery but for replay_delivery.
        let records = try Kcat.consume("order.t", from: broker.address).map(Delivered.init)
        var copies: [String: [Delivered]] = [:]
        for record in records { copies[record.paymentId, default: []].append(record) }
        #expect(Set(copies.keys) == Set(rows.map(\.paymentId)))
        let duplicated = Set(duplicates.map(\.paymentId))
        #expect(Set(copies.filter { $0.value.count == 2 }.keys) == duplicated)
        #expect(copies.values.allSatisfy { $0.count <= 2 })
        for pair in copies.values where pair.count == 2 {
            #expect(pair[0].sameRecordButDelivery(pair[1]) && pair[1].kind == "duplicate")
        }
        for row in rows {
            #expect(copies[row.paymentId]![0].timestamp == seconds(row.eventTime) * 1_000, "the timestamp is the event time")
        }

        // Per partition, the order is the files' deliveries sorted by (run, delivered_at, day, index, kind).
        var partitionOf: [String: Int] = [:]
        for record in records { #expect(partitionOf.updateValue(record.partition, forKey: record.merchantId) ?? record.partition == record.partition) }
        let logged = Set(log.map { "\($0.paymentId) \($0.kind.name)" })
        let expected = runs.enumerated().flatMap { run, deliveries in deliveries.expectedDeliveries(run: run) }.sorted { $0.order < $1.order }
        for partition in Set(records.map(\.partition)) {
            let actual = records.filter { $0.partition == partition }.sorted { $0.offset < $1.offset }
            let wanted = expected.filter { partitionOf[$0.merchantId] == partition }
            #expect(actual.map { "\($0.paymentId) \($0.kind)" } == wanted.map { "\($0.paymentId) \($0.kind.name)" }, "partition \(partition)")
            // Timestamps go backwards exactly at logged late and duplicate deliveries.
            var newest: Int64 = .min
            for record in actual {
                if record.timestamp < newest {
                    #expect(record.kind != "on-time" && logged.contains("\(record.paymentId) \(record.kind)"),
                            "\(record.paymentId) goes back in time without being logged")
                }
                newest = max(newest, record.timestamp)
            }
        }
        #expect(records.contains { record in record.kind == "late" } && records.contains { $0.kind == "duplicate" })
    }

    @Test func theSameSeedAndOptionsDeliverTheSameBytesInTheSameOrder() throws {
        let broker = try StandaloneBroker(partitions: 4)
        let one = try TemporaryFolder(), two = try TemporaryFolder()
        let options = ["--late-fraction", "0.3", "--max-lateness", "5s", "--duplicate-fraction", "0.05", "--disorder-log", "--seed", "7"]
        for (folder, topics) in [(one, "twice1"), (two, "twice2")] {
            let result = try ReplayBinary.run(history(folder, "2024-05-01", "2024-05-02", brokers: broker.address, topics: topics) + options)
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(try one.read("disorder_2024-05-01_2024-05-02.csv") == two.read("disorder_2024-05-01_2024-05-02.csv"))
        #expect(try one.read("merchants.json") == two.read("merchants.json"))
        func partitions(_ topic: String) throws -> [String] {
            try Kcat.consume(topic, from: broker.address).sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
                .map { "\($0.partition) \($0.offset) \($0.key) \($0.timestamp) \($0.headers) \($0.rawValue)" }
        }
        let first = try partitions("twice1.t"), second = try partitions("twice2.t")
        #expect(!first.isEmpty && first == second)
        // A longer history from the same first day: the first one's deliveries (late by 5 s at most) all came before the
        // midnight after its end, where the two orders still agree, so the longer one continues the topic with the third day.
        let longer = try ReplayBinary.run(history(one, "2024-05-01", "2024-05-03", brokers: broker.address, topics: "twice1") + options + ["-f"])
        #expect(longer.status == 0, "\(longer.stderr)")
        let extended = try partitions("twice1.t")
        #expect(Set(first).isSubset(of: Set(extended)))
        let added = Set(extended).subtracting(first)
        let thirdDay = CSVTable(try one.lines("transactions_2024-05-01_2024-05-03.csv")).rows.filter { $0["payment_timestamp"]!.hasPrefix("2024-05-03") }
        let thirdDayDuplicates = CSVTable(try one.lines("disorder_2024-05-01_2024-05-03.csv")).rows
            .filter { $0["kind"] == "duplicate" && $0["event_time"]!.hasPrefix("2024-05-03") }
        #expect(added.count == thirdDay.count + thirdDayDuplicates.count && added.allSatisfy { $0.contains("replay_seq=2024-05-03/") })
    }

    @Test func aDisorderedRunKilledOrStoppedAnywhereDeliversEveryDeliveryOnce() throws {
        let broker = try StandaloneBroker(partitions: 8)
        let folder = try TemporaryFolder(), reference = try TemporaryFolder()
        // Late by up to 3 days: the deliveries after the last day take up to 3 s at this pace, time for a kill.
        let options = ["--late-fraction", "0.1", "--max-lateness", "3d", "--duplicate-fraction", "0.02", "--disorder-log",
                       "--pace", "86400", "--debug"]
        let arguments = history(folder, "2024-02-01", "2024-02-05", brokers: broker.address, topics: "killed") + options
        // Stopped, then killed at commit steps: days end with late deliveries pending, and checkpoints keep them.
        let stopped = try ReplayBinary.start(arguments)
        #expect(stopped.wait(for: "debug: 2024-02-01", on: 1))
        stopped.signal(SIGINT)
        let stop = stopped.finish()
        #expect(stop.status == 75 && stop.stderr.contains("still pending, kept in merchants.json"), "\(stop.stderr)")
        for step in ["slice-written:1", "sinks-durable:1", "committed:2"] {
            let killed = try ReplayBinary.run(arguments, environment: ["REPLAY_KILL_AT": step]).killedBySignal
            #expect(killed, "not killed at \(step)")
        }
        // Killed while it makes the deliveries still pending after the period's last day.
        let draining = try ReplayBinary.start(arguments)
        #expect(draining.wait(for: "2024-02-05 is over: making the", on: 1, timeout: 120))
        draining.signal(SIGKILL)
        #expect(draining.finish().killedBySignal)
        #expect(try ReplayBinary.run(arguments, environment: ["REPLAY_KILL_AT": "period-files-written:1"]).killedBySignal)
        let last = try ReplayBinary.run(arguments)
        #expect(last.status == 0, "\(last.stderr)")

        let whole = try ReplayBinary.run(history(reference, "2024-02-01", "2024-02-05", brokers: broker.address, topics: "whole")
            + options.filter { $0 != "--pace" && $0 != "86400" })
        #expect(whole.status == 0, "\(whole.stderr)")
        for name in ["transactions_2024-02-01_2024-02-05.csv", "merchants_2024-02-01_2024-02-05.csv",
                     "disorder_2024-02-01_2024-02-05.csv", "merchants.json"] {
            #expect(try folder.read(name) == reference.read(name), "\(name)")
        }
        for stream in ["m", "t"] {
            func partitions(_ topic: String) throws -> [String] {
                try Kcat.consume(topic, from: broker.address).sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
                    .map { "\($0.partition) \($0.offset) \($0.key) \($0.timestamp) \($0.headers) \($0.rawValue)" }
            }
            let killed = try partitions("killed.\(stream)"), uninterrupted = try partitions("whole.\(stream)")
            #expect(killed.count == uninterrupted.count && killed == uninterrupted, "killed.\(stream) differs from an uninterrupted run")
        }
        // A longer history from the same first day into these topics: this one made deliveries after its end (late by up
        // to 3 days) in another order than the longer one would, so it is refused, touching nothing.
        let state = try folder.read("merchants.json")
        let longer = try ReplayBinary.run(history(folder, "2024-02-01", "2024-02-08", brokers: broker.address, topics: "killed") + options + ["-f"])
        #expect(longer.status == 1 && longer.stderrLines.last?.hasPrefix("replay: error: killed.t already holds this simulation's deliveries "
                                                                          + "of the run 2024-02-01..2024-02-05, which made deliveries after 2024-02-05") == true,
                "\(longer.stderr)")
        #expect(try folder.read("merchants.json") == state)
    }

    @Test func shardsWithDisorderGiveWhatOneRunGives() throws {
        let single = try StandaloneBroker(partitions: 8), sharded = try StandaloneBroker(partitions: 8)
        let singleFolder = try TemporaryFolder(), root = try TemporaryFolder()
        func command(_ folder: String, _ brokers: String, _ shard: String? = nil) -> [String] {
            ["--initial", "--start-date", "2024-04-01", "--end-date", "2024-04-03", "--output-dir", folder, "--brokers", brokers]
                + disorder + (shard.map { ["--shard", $0] } ?? [])
        }
        let whole = try ReplayBinary.run(command(singleFolder.path, single.address))
        #expect(whole.status == 0, "\(whole.stderr)")
        let killed = try ReplayBinary.run(command(root.path, sharded.address, "1/2") + ["--pace", "345600"],
                                          environment: ["REPLAY_KILL_AT": "sinks-durable:2"])
        #expect(killed.killedBySignal, "\(killed.stderr)")
        let shards = try (0..<2).map { try ReplayBinary.start(command(root.path, sharded.address, "\($0)/2")) }
        for shard in shards {
            let result = shard.finish()
            #expect(result.status == 0, "\(result.stderr)")
        }
        for topic in ["payments.merchants", "payments.transactions"] {
            func partitions(_ broker: String) throws -> [String] {
                try Kcat.consume(topic, from: broker).sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
                    .map { "\($0.partition) \($0.offset) \($0.key) \($0.timestamp) \($0.headers) \($0.rawValue)" }
            }
            let expected = try partitions(single.address), actual = try partitions(sharded.address)
            #expect(!expected.isEmpty && actual == expected, "\(topic)")
        }
        let log = "disorder_2024-04-01_2024-04-03.csv"
        let union = try (0..<2).flatMap { try TemporaryFolder.lines(root.path + "/shard-\($0)-of-2/" + log).dropFirst() }.sorted()
        let expected = try singleFolder.lines(log).dropFirst().sorted()
        #expect(!union.isEmpty && union == expected)
        // A shard with other disorder options does not join the sharded run.
        let other = try ReplayBinary.run(["--initial", "--start-date", "2024-04-01", "--end-date", "2024-04-03", "--output-dir", root.path,
                                          "--brokers", sharded.address, "--late-fraction", "0.2", "--shard", "1/2", "-f"])
        #expect(other.status != 0 && other.stderr.contains("disorder late 0.2 up to 3600s, duplicates 0.0 here, late 0.1 up to 7200s, duplicates 0.02, logged there"), "\(other.stderr)")
    }

    @Test func aLiveFeedCarriesLateDeliveriesAcrossMidnightInMarkOrder() throws {
        let broker = try StandaloneBroker(partitions: 4)
        let folder = try TemporaryFolder()
        // One simulated day per wall second, late by up to a day: deliveries cross every midnight.
        let child = try ReplayBinary.start(["--realtime", "--pace", "86400", "--debug", "--output-dir", folder.path, "--brokers", broker.address,
                                            "--topic-merchants", "live.m", "--topic-transactions", "live.t"]
                                           + ["--late-fraction", "0.2", "--max-lateness", "1d", "--duplicate-fraction", "0.05", "--disorder-log"])
        #expect(child.wait(for: "debug: ", on: 1))
        let firstDay = String(child.text.stderr.split(separator: "\n").first { $0.hasPrefix("debug: ") }!.dropFirst(7).prefix(10))
        #expect(child.wait(for: "debug: \(ShutdownAndLiveTests.day(after: firstDay)):", on: 1))
        child.signal(SIGTERM)
        let result = child.finish()
        #expect(result.status == 0 && result.stderr.contains("still pending, kept in merchants.json"), "\(result.stderr)")

        let records = try Kcat.consume("live.t", from: broker.address).map(Delivered.init)
        var seen: [String: Int] = [:]
        for record in records { seen["\(record.paymentId) \(record.kind)", default: 0] += 1 }
        #expect(!records.isEmpty && seen.values.allSatisfy { $0 == 1 }, "each delivery once")
        var crossed = false
        for partition in Set(records.map(\.partition)) {
            let deliveries = records.filter { $0.partition == partition }.sorted { $0.offset < $1.offset }.map { record in
                RecordIdentity.delivery(sequence: record.headers["replay_seq"]!, delivery: record.headers["replay_delivery"]!)!
            }
            let marks = deliveries.map(\.mark)
            #expect(zip(marks, marks.dropFirst()).allSatisfy { $0 < $1 }, "partition \(partition) in mark order")
            crossed = crossed || marks.contains { $0.kind == .late && $0.deliveredAt >= $0.day.adding(days: 1).startSecond }
            #expect(deliveries.allSatisfy { $0.run == DeliveryEpoch(first: Day(iso: firstDay)!, last: nil) })
        }
        #expect(crossed, "a late delivery crossed midnight")
    }

    @Test func badDisorderOptionsAreRefusedInOneLine() throws {
        let folder = try TemporaryFolder()
        let base = ["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-01", "--output-dir", folder.file("out"), "--brokers", "none"]
        let cases: [([String], String)] = [
            (["--late-fraction", "1.5"], "--late-fraction must be a share between 0 and 1"),
            (["--duplicate-fraction=-0.1"], "--duplicate-fraction must be a share between 0 and 1"),
            (["--late-fraction", "0.1", "--max-lateness", "2 hours"], "is not a duration"),
            (["--late-fraction", "0.1", "--max-lateness", "8d"], "--max-lateness must be between 1s and 7d"),
            (["--late-fraction", "0.1", "--max-lateness", "0s"], "--max-lateness must be between 1s and 7d"),
            (["--max-lateness", "1h"], "--max-lateness goes with --late-fraction"),
            (["--disorder-log"], "--disorder-log needs --late-fraction or --duplicate-fraction"),
        ]
        for (options, message) in cases {
            let result = try ReplayBinary.run(base + options)
            #expect(result.status != 0 && result.stderr.contains(message), "\(options): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: folder.file("out")), "\(options) touched the folder")
        }
        let check = try ReplayBinary.run(base + ["--late-fraction", "0.05", "--max-lateness", "90s", "--disorder-log", "--check-config"])
        #expect(check.status == 0 && check.stdout.contains("disorder: late 0.05 up to 90s, duplicates 0.0, logged in disorder_<start>_<end>.csv"),
                "\(check.stdout)")

        // A killed run goes on only with the same disorder.
        let arguments = base + ["--late-fraction", "0.1"]
        #expect(try ReplayBinary.run(arguments, environment: ["REPLAY_KILL_AT": "slice-written:1"]).killedBySignal)
        let other = try ReplayBinary.run(base + ["--late-fraction", "0.2"])
        #expect(other.status != 0 && other.stderrLines.count == 1 && other.stderr.contains("--late-fraction 0.2"), "\(other.stderr)")
        #expect(try ReplayBinary.run(arguments).status == 0)
    }

    func expectShare(_ count: Int, of total: Int, near share: Double, _ what: String) {
        let measured = Double(count) / Double(total), sigma = (share * (1 - share) / Double(total)).squareRoot()
        #expect(abs(measured - share) < 4 * sigma, "\(what): \(count) of \(total) is \(measured), expected \(share) ± \(4 * sigma)")
    }
}

/// A run's files read back: its transaction rows (with each row's index within its day) and its disorder log.
private struct DeliveryRun {
    struct Row {
        let paymentId, merchantId, eventTime: String
        let day: String
        let index: Int
    }

    struct Logged {
        let paymentId, merchantId, eventTime, deliveredAt: String
        let kind: Kind
    }

    enum Kind: Int, Comparable {
        case onTime = 0, late, duplicate

        var name: String { ["on-time", "late", "duplicate"][rawValue] }
        static func < (a: Kind, b: Kind) -> Bool { a.rawValue < b.rawValue }
    }

    /// A delivery the files say happens, with its place in the stream.
    struct Expected {
        let paymentId, merchantId: String
        let kind: Kind
        let order: (Int, String, String, Int, Int)
    }

    let rows: [Row]
    let log: [Logged]

    init(folder: TemporaryFolder, period: String) throws {
        var indexInDay: [String: Int] = [:]
        rows = CSVTable(try folder.lines("transactions_\(period).csv")).rows.map { row in
            let time = row["payment_timestamp"]!, day = String(time.prefix(10))
            defer { indexInDay[day, default: 0] += 1 }
            return Row(paymentId: row["payment_id"]!, merchantId: row["merchant_id"]!, eventTime: time, day: day, index: indexInDay[day] ?? 0)
        }
        let table = CSVTable(try folder.lines("disorder_\(period).csv"))
        #expect(table.columns == ["payment_id", "merchant_id", "event_time", "delivered_at", "kind"])
        log = table.rows.map {
            Logged(paymentId: $0["payment_id"]!, merchantId: $0["merchant_id"]!, eventTime: $0["event_time"]!,
                   deliveredAt: $0["delivered_at"]!, kind: $0["kind"] == "late" ? .late : .duplicate)
        }
    }

    func logged(_ kind: Kind) -> Int { log.filter { $0.kind == kind }.count }

    /// Every delivery of the run: rows not logged late go out at their event time, the logged ones when the log says.
    func expectedDeliveries(run: Int) -> [Expected] {
        let place = Dictionary(uniqueKeysWithValues: rows.map { ($0.paymentId, $0) })
        let lateIds = Set(log.filter { $0.kind == .late }.map(\.paymentId))
        let onTime = rows.filter { !lateIds.contains($0.paymentId) }.map {
            Expected(paymentId: $0.paymentId, merchantId: $0.merchantId, kind: .onTime, order: (run, $0.eventTime, $0.day, $0.index, 0))
        }
        let held = log.map { entry in
            let row = place[entry.paymentId]!
            #expect(row.eventTime == entry.eventTime && row.merchantId == entry.merchantId)
            return Expected(paymentId: entry.paymentId, merchantId: entry.merchantId, kind: entry.kind,
                            order: (run, entry.deliveredAt, row.day, row.index, entry.kind.rawValue))
        }
        return onTime + held
    }
}

/// A transaction record as consumed: its payment, partition, offset, timestamp and headers.
private struct Delivered {
    let partition, offset: Int
    let paymentId, merchantId: String
    let timestamp: Int64
    let headers: [String: String]
    let rawValue: String

    init(_ record: Kcat.Record) {
        partition = record.partition
        offset = record.offset
        paymentId = record.value["payment_id"] as! String
        merchantId = record.key
        timestamp = record.timestamp
        headers = Dictionary(uniqueKeysWithValues: record.headers.split(separator: ",").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), String(parts[1]))
        })
        rawValue = record.rawValue
    }

    /// `on-time`, `late` or `duplicate`, from `replay_delivery`.
    var kind: String { headers["replay_delivery"].map { String($0.split(separator: "/").last!) } ?? "(none)" }

    func sameRecordButDelivery(_ other: Delivered) -> Bool {
        var mine = headers, theirs = other.headers
        mine["replay_delivery"] = nil
        theirs["replay_delivery"] = nil
        return mine == theirs && rawValue == other.rawValue && timestamp == other.timestamp && merchantId == other.merchantId
    }
}

/// Seconds since the epoch of a `YYYY-MM-DDTHH:MM:SS` read as UTC (days from the civil date, as in Howard Hinnant's algorithm).
private func seconds(_ timestamp: String) -> Int64 {
    let digits = timestamp.split(whereSeparator: { !$0.isNumber }).map { Int64($0)! }
    let (year, month, day) = (digits[0] - (digits[1] <= 2 ? 1 : 0), digits[1], digits[2])
    let era = year / 400, yearOfEra = year - era * 400
    let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let days = era * 146_097 + yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear - 719_468
    return days * 86_400 + digits[3] * 3_600 + digits[4] * 60 + digits[5]
}
