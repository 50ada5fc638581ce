import ArgumentParser
import Clock
import Foundation
import Logging
import Simulation
import Sinks

/// `replay [generate]`: the spec's command line (`--initial`, `--incremental`, …) plus the
/// streaming options.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate merchants and transactions for a period (--initial) or the next day (--incremental)."
    )

    @Flag(help: "Start a new history from --start-date to --end-date.")
    var initial = false

    @Flag(help: "Add the day after the last generated one (see --date).")
    var incremental = false

    @Option(name: .customLong("start-date"), help: "First day of an initial run (YYYY-MM-DD).")
    var startDate: String?

    @Option(name: .customLong("end-date"), help: "Last day of an initial run (YYYY-MM-DD).")
    var endDate: String?

    @Option(help: "Day of an incremental run (YYYY-MM-DD); default: yesterday (UTC).")
    var date: String?

    @Option(name: .customLong("output-dir"), help: "Folder of the batch files and merchants.json.")
    var outputDir = "./raw_data"

    @Flag(name: .shortAndLong, help: "Skip the confirmation of an incremental run; let an initial run replace existing output.")
    var force = false

    @Flag(help: "Print per-day figures.")
    var debug = false

    @Flag(help: "Print warnings and errors only.")
    var quiet = false

    @Option(help: "Seed of the simulation (initial runs; incremental runs use the saved one).")
    var seed: UInt64?

    @Option(help: "Multiplies the merchant population and the monthly growth and churn caps.")
    var scale: Double = 1

    @OptionGroup(title: "Kafka")
    var kafka: KafkaOptions

    @Option(help: "max, realtime, or simulated seconds per wall second (e.g. 3600).")
    var pace = "max"

    static let defaultSeed: UInt64 = 42

    func validate() throws {
        guard initial != incremental else {
            throw ValidationError("choose one of --initial or --incremental")
        }
        if initial {
            guard startDate != nil, endDate != nil else {
                throw ValidationError("--initial needs --start-date and --end-date")
            }
            guard date == nil else { throw ValidationError("--date goes with --incremental; use --start-date/--end-date") }
        } else {
            guard startDate == nil, endDate == nil else {
                throw ValidationError("--start-date/--end-date go with --initial; use --date")
            }
        }
        guard scale.isFinite, scale > 0, scale <= 10_000 else {
            throw ValidationError("--scale must be a number above 0 (at most 10000), got \(scale)")
        }
        guard Pace(argument: pace) != nil else {
            throw ValidationError("--pace must be max, realtime or a positive number, got '\(pace)'")
        }
    }

    func run() throws {
        let logger = ConsoleLogHandler.logger(debug: debug, quiet: quiet)
        let folder = try OutputFolder(path: outputDir)
        let plan = initial ? try initialPlan(folder) : try incrementalPlan(folder, logger: logger)
        // Kafka first: an unreachable broker or a bad -X is refused before any file is touched.
        let kafkaConnection = try KafkaConnection.open(kafka, logger: logger)
        defer { kafkaConnection?.shutDown() }
        var sinks: [EventSink] = [try CSVFileSink(folder: folder.path, period: plan.period)]
        if let kafkaConnection { sinks.append(kafkaConnection.sink) }
        sinks.append(plan.snapshot)
        let run = ReplayRun(
            simulator: Simulator(state: plan.state), period: plan.period, sinks: sinks,
            pacer: Pacer(pace: Pace(argument: pace)!), logger: logger)
        try run.run()
        logger.info("\(run.totals.summary(period: plan.period)) → \(folder.path)")
        for line in kafkaConnection?.sink.summary ?? [] { logger.info("\(line)") }
    }

    private func initialPlan(_ folder: OutputFolder) throws -> RunPlan {
        let start = try Self.day(startDate!, flag: "--start-date")
        let end = try Self.day(endDate!, flag: "--end-date")
        guard start <= end else { throw UserError("--end-date \(end) is before --start-date \(start)") }
        let period = Period(start: start, end: end)
        let snapshot = StateSnapshot(folder: folder.path)
        if !force {
            for name in [StateSnapshot.fileName, period.fileName("transactions"), period.fileName("merchants")]
            where folder.contains(name) {
                throw UserError("\(folder.path)/\(name) exists and an initial run would replace it: pass --force, or choose another --output-dir")
            }
        }
        return RunPlan(state: SimulationState(seed: seed ?? Self.defaultSeed, scale: scale), period: period, snapshot: snapshot)
    }

    private func incrementalPlan(_ folder: OutputFolder, logger: Logger) throws -> RunPlan {
        let snapshot = StateSnapshot(folder: folder.path)
        let state = try snapshot.load()
        guard let last = state.lastGeneratedDate, let expected = state.nextDay else {
            throw UserError("\(snapshot.path) has no last_generated_date: run --initial first")
        }
        let day = try date.map { try Self.day($0, flag: "--date") } ?? Self.yesterday()
        guard day == expected else {
            let problem = day <= last ? "is already generated" : "would leave a gap"
            throw UserError("--date \(day) \(problem): last_generated_date is \(last), so the next day is \(expected)")
        }
        if let seed, seed != state.seed {
            throw UserError("--seed \(seed) differs from the seed \(state.seed) in \(snapshot.path); incremental runs continue the saved simulation")
        }
        let period = Period(start: day, end: day)
        if !force {
            try Confirmation.ask(
                "Generate \(day) (after \(last)) into \(folder.path): write \(period.fileName("merchants")) and \(period.fileName("transactions")) and update \(StateSnapshot.fileName).")
        }
        return RunPlan(state: state, period: period, snapshot: snapshot)
    }

    private static func day(_ text: String, flag: String) throws -> Day {
        guard let day = Day(iso: text) else { throw UserError("\(flag) '\(text)' is not a date of the form YYYY-MM-DD") }
        return day
    }

    /// Yesterday in UTC.
    private static func yesterday() -> Day {
        Day(ordinal: Int((Date().timeIntervalSince1970 / 86_400).rounded(.down)) - 1)
    }
}

/// What a run starts from and what it covers.
struct RunPlan {
    var state: SimulationState
    var period: Period
    var snapshot: StateSnapshot
}
