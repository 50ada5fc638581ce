import DevelopmentBroker
import ArgumentParser
import Engine
import Foundation
import KafkaClient
import Runner

/// `replay-bench` (`./replay bench`): measures the replay against the physical ceilings on this
/// machine and prints one table. Every row runs in a child process of this binary, so that its
/// peak RSS is its own; times are the median of `--repetitions` runs. The standalone-broker rows
/// start `replay broker` from the `replay` binary built beside this one.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay-bench",
        abstract: "Measure throughput, memory and pacing lag against baselines (prints a table).")

    @Option(help: "Days of the replays (from 2024-01-01).")
    var days = 90

    @Option(help: "Runs of each timed row; the median is shown.")
    var repetitions = 3

    @Option(help: "Wall seconds of each pacing-lag row.")
    var pacingSeconds = 10.0

    @Option(help: .hidden) var row: String?
    @Option(help: .hidden) var brokers = "embedded"
    @Option(help: .hidden) var count = 0
    @Option(help: .hidden) var pace = "max"
    @Option(help: .hidden) var scale = 1.0
    @Option(help: .hidden) var shard = "0/1"
    @Option(help: .hidden) var partitions = EmbeddedBroker.defaultPartitionCount

    /// The Python/pandas generator's rate on this machine, as issue 5 reports it (not measured here).
    static let pythonReference = 61_000.0

    func validate() throws {
        guard days >= 1, repetitions >= 1, pacingSeconds > 0 else { throw ValidationError("--days, --repetitions and --pacing-seconds must be positive") }
    }

    func run() throws {
        if let row {
            let result = try BenchRow(name: row, days: days, brokers: brokers, count: count, pace: pace, scale: scale, seconds: pacingSeconds,
                                      shard: shard, partitions: partitions).run()
            print(result.line)
            return
        }
        var table = BenchTable()
        let simulate = try measure("simulate")
        table.add("simulation only (events, no encoding)", simulate, unit: "events/s")
        let files = try measure("files")
        table.add("files only: replay, \(days) days (tx)", files, unit: "tx/s")
        let baseline = try measure("files-baseline", count: files.count)
        table.add("files only: plain writer, same rows", baseline, unit: "rows/s")
        table.note("files: plain writer / replay = \(BenchTable.ratio(baseline.rate, files.rate)); replay / Python reference (61 k tx/s, issue 5) = \(BenchTable.ratio(files.rate, Self.pythonReference))")
        let lifecycle = try measure("files-lifecycle")
        table.add("files only: replay --lifecycle (tx + authorizations, refunds, disputes, payouts)", lifecycle, unit: "events/s")
        table.note("files: --lifecycle / transactions path = \(Self.perEventRatio(lifecycle, files)) an event, "
            + "\(BenchTable.ratio(lifecycle.seconds, files.seconds)) a payment")
        // What the pending refunds and disputes cost a checkpoint: the day after the history, with and without them.
        let nextDay = try measure("files-next-day", repetitions: 1)
        let nextLifecycleDay = try measure("files-next-day-lifecycle", repetitions: 1)
        table.add("files only: the day after \(days) days (tx, 1 run)", nextDay, unit: "tx/s")
        table.add("files only: the day after \(days) days, --lifecycle (events, 1 run)", nextLifecycleDay, unit: "events/s")
        table.note("without the lifecycle \(Self.checkpoints(nextDay)); with it (pending refunds and disputes) \(Self.checkpoints(nextLifecycleDay))")
        let short = try measure("files", days: 15, repetitions: 1)
        let long = try measure("files", days: 180, repetitions: 1)
        table.add("files only: 15 days (RSS check)", short, unit: "tx/s")
        table.add("files only: 180 days (RSS check)", long, unit: "tx/s")
        table.note("peak RSS 180 days / 15 days = \(BenchTable.ratio(long.peakMiB, short.peakMiB))")
        // Volume: one day at a large --scale (one run each: scale 1000 takes seconds and GiBs).
        let perTransaction = files.seconds / Double(max(files.count, 1))
        for scale in [100.0, 1000.0] {
            let day = try measure("files", days: 1, repetitions: 1, scale: scale)
            table.add("files only: one day at scale \(Int(scale)) (tx, 1 run)", day, unit: "tx/s")
            table.note("scale \(Int(scale)): \(Self.checkpoints(day)); "
                + "\((day.seconds / Double(max(day.count, 1)) * 1e6).twoDecimals) µs a transaction against "
                + "\((perTransaction * 1e6).twoDecimals) µs over \(days) days at scale 1 (\(BenchTable.ratio(day.seconds / Double(max(day.count, 1)), perTransaction)))")
            let next = try measure("files-next-day", days: 1, repetitions: 1, scale: scale)
            table.add("files only: the next day at scale \(Int(scale)) (tx, 1 run)", next, unit: "tx/s")
            table.note("scale \(Int(scale)), --incremental over that day: \(Self.checkpoints(next))")
        }

        let json = try measure("encode-json")
        let avro = try measure("encode-avro")
        table.add("Kafka values only: JSON", json, unit: "events/s")
        table.add("Kafka values only: Avro (wire format)", avro, unit: "events/s")
        table.note("Avro / JSON value encoding rate = \(BenchTable.ratio(avro.rate, json.rate))")

        let embedded = try measure("kafka", brokers: "embedded")
        let embeddedAvro = try measure("kafka-avro", brokers: "embedded")
        let embeddedRaw = try measure("kafka-baseline", brokers: "embedded")
        table.add("files + Kafka, embedded broker: replay", embedded, unit: "events/s")
        table.add("files + Kafka, embedded broker: replay, Avro", embeddedAvro, unit: "events/s")
        table.note("embedded: Avro / JSON = \(BenchTable.ratio(embeddedAvro.rate, embedded.rate))")
        let embeddedLifecycle = try measure("kafka-lifecycle", brokers: "embedded")
        table.add("files + Kafka, embedded broker: --lifecycle", embeddedLifecycle, unit: "events/s")
        table.note("embedded: --lifecycle / transactions path = \(Self.perEventRatio(embeddedLifecycle, embedded)) an event, "
            + "\(BenchTable.ratio(embeddedLifecycle.seconds, embedded.seconds)) a payment")
        let disordered = try measure("kafka-disorder", brokers: "embedded")
        table.add("files + Kafka, embedded broker: disorder", disordered, unit: "events/s")
        table.note("embedded: disorder (\(BenchRow.disorder)) / in order = "
            + "\(BenchTable.ratio(disordered.rate, embedded.rate)) (events; duplicates are extra records)")
        table.add("Kafka, embedded broker: raw librdkafka", embeddedRaw, unit: "msgs/s")
        table.note("embedded: raw librdkafka / replay = \(BenchTable.ratio(embeddedRaw.rate, embedded.rate))")
        // A new `replay broker` for every run: a topic that already holds the simulation would be skipped.
        let remote = try measureOnStandaloneBroker("kafka")
        let remoteRaw = try measureOnStandaloneBroker("kafka-baseline")
        table.add("files + Kafka, `replay broker` process: replay", remote, unit: "events/s")
        table.add("Kafka, `replay broker` process: raw librdkafka", remoteRaw, unit: "msgs/s")
        table.note("standalone: raw librdkafka / replay = \(BenchTable.ratio(remoteRaw.rate, remote.rate))")
        // A replicated cluster in another process, where the broker is not the limit: the producer's own cost shows.
        let cluster = try measureOnCluster("kafka")
        let clusterRaw = try measureOnCluster("kafka-baseline")
        table.add("files + Kafka, 3-broker cluster process (\(Self.clusterPartitions) partitions, RF 3): replay", cluster, unit: "events/s")
        table.add("Kafka, 3-broker cluster process: raw librdkafka", clusterRaw, unit: "msgs/s")
        table.note("3-broker cluster: raw librdkafka / replay = \(BenchTable.ratio(clusterRaw.rate, cluster.rate))")
        var sharded: [Int: BenchResult] = [:]
        for count in [1, 2, 4] {
            sharded[count] = try measureSharded(count)
            table.add("sharded, \(count) process\(count == 1 ? "" : "es") to one `replay broker`", sharded[count]!, unit: "events/s")
        }
        let speedups = [2, 4].map { "\($0) shards \(BenchTable.ratio(sharded[$0]!.rate, sharded[1]!.rate))" }.joined(separator: ", ")
        table.note("against one process, on this machine's \(ProcessInfo.processInfo.activeProcessorCount) cores: \(speedups)")
        table.note(ShardModel(simulation: simulate, oneShard: sharded[1]!).summary)

        for (pace, scale) in [("realtime", 1000.0), ("1000", 10.0)] {
            let lag = try child(["--row", "pacing", "--pace", pace, "--scale", String(scale), "--pacing-seconds", String(pacingSeconds)])
            table.lag("pacing lag at --pace \(pace) (scale \(Int(scale)), \(Int(pacingSeconds)) s)", lag)
        }
        print(table.render(machine: BenchTable.machine()))
    }

    /// The time an event of `row` takes against one of `reference`.
    private static func perEventRatio(_ row: BenchResult, _ reference: BenchResult) -> String {
        BenchTable.ratio(row.seconds / Double(max(row.count, 1)), reference.seconds / Double(max(reference.count, 1)))
    }

    /// What a row's checkpoints cost: how many, the bytes of merchants.json and its journal, the time.
    private static func checkpoints(_ result: BenchResult) -> String {
        "\(result.checkpoints) checkpoints wrote \((Double(result.checkpointBytes) / 1_048_576).twoDecimals) MiB of merchants.json and its "
            + "journal and took \(result.checkpointSeconds.twoDecimals) s (at most \(result.checkpointMaxSeconds.twoDecimals) s)"
    }

    private func measure(_ row: String, days: Int? = nil, repetitions: Int? = nil, brokers: String = "embedded", count: Int = 0,
                         scale: Double = 1) throws -> BenchResult {
        let runs = try (0..<(repetitions ?? self.repetitions)).map { _ in
            try child(["--row", row, "--days", String(days ?? self.days), "--brokers", brokers, "--count", String(count), "--scale", String(scale)])
        }
        return BenchResult.median(of: runs)
    }

    private func measureOnStandaloneBroker(_ row: String) throws -> BenchResult {
        let runs = try (0..<repetitions).map { _ in
            let broker = try StandaloneBroker()
            defer { broker.stop() }
            return try child(["--row", row, "--days", String(days), "--brokers", broker.address])
        }
        return BenchResult.median(of: runs)
    }

    /// Partitions of each topic in the 3-broker cluster rows.
    static let clusterPartitions = 6

    /// The row in a new 3-broker mock cluster process (`--row cluster`) for every run.
    private func measureOnCluster(_ row: String) throws -> BenchResult {
        let runs = try (0..<repetitions).map { _ in
            let cluster = try StandaloneBroker(executable: Self.executable, arguments: ["--row", "cluster", "--partitions", String(Self.clusterPartitions)])
            defer { cluster.stop() }
            return try child(["--row", row, "--days", String(days), "--brokers", cluster.address, "--partitions", String(Self.clusterPartitions)])
        }
        return BenchResult.median(of: runs)
    }

    /// `count` shard processes at once to a new `replay broker`: every event they published, over
    /// the wall time from the first shard's start to the last one's end, each timed as the
    /// one-process rows are (the peak RSS is the largest shard's).
    private func measureSharded(_ count: Int) throws -> BenchResult {
        let runs = try (0..<repetitions).map { _ in
            let broker = try StandaloneBroker()
            defer { broker.stop() }
            let children = try (0..<count).map { index in
                try BenchChild(["--row", "kafka", "--days", String(days), "--brokers", broker.address, "--shard", "\(index)/\(count)"])
            }
            let shards = try children.map { try $0.result() }
            let span = shards.map { $0.startedAt + $0.seconds }.max()! - shards.map(\.startedAt).min()!
            var total = BenchResult(count: shards.map(\.count).reduce(0, +), seconds: span)
            total.peakMiB = shards.map(\.peakMiB).max() ?? 0
            return total
        }
        return BenchResult.median(of: runs)
    }

    private func child(_ arguments: [String]) throws -> BenchResult {
        try BenchChild(arguments).result()
    }

    /// This binary.
    static let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    /// The `replay` binary built beside this one.
    static let replay = executable.deletingLastPathComponent().appendingPathComponent("replay")
}

/// One benchmark row's process (`replay-bench --row …`), started at once, its result read later.
private struct BenchChild {
    private let process = Process()
    private let output = Pipe()
    private let arguments: [String]

    init(_ arguments: [String]) throws {
        self.arguments = arguments
        process.executableURL = Bench.executable
        process.arguments = arguments
        process.standardOutput = output
        try process.run()
    }

    func result() throws -> BenchResult {
        var text = ""
        while let chunk = try PipeReader.next(output) { text += chunk }
        process.waitUntilExit()
        guard process.terminationStatus == 0, let result = BenchResult(line: text) else {
            throw UserError("benchmark row \(arguments.joined(separator: " ")) failed (status \(process.terminationStatus))")
        }
        return result
    }
}

/// A broker child process for the standalone-broker rows (`replay broker`, or another command that
/// prints the same `bootstrap ADDRESS` line).
final class StandaloneBroker {
    let address: String
    private let process = Process()

    init(executable: URL = Bench.replay, arguments: [String] = ["broker"]) throws {
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var text = ""
        while !text.contains("\n") {
            guard let chunk = try PipeReader.next(output) else { throw UserError("replay broker exited before printing its address") }
            text += chunk
        }
        address = String(text.split(separator: "\n")[0].dropFirst("bootstrap ".count))
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

/// Reads a child's pipe with read(2), retried when a signal interrupts it (FileHandle's
/// availableData traps on EINTR, which a child's SIGCHLD can cause).
enum PipeReader {
    /// The next chunk as text; nil at the end.
    static func next(_ pipe: Pipe) throws -> String? {
        var block = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = block.withUnsafeMutableBytes { read(pipe.fileHandleForReading.fileDescriptor, $0.baseAddress, $0.count) }
            if count > 0 { return String(decoding: block[0..<count], as: UTF8.self) }
            if count == 0 { return nil }
            if errno != EINTR { throw UserError("cannot read a benchmark child's output: \(String(cString: strerror(errno)))") }
        }
    }
}
