import ArgumentParser
import Clock
import Foundation
import Logging
import Simulation
import Sinks

/// `replay [generate]`: the spec's command line (`--initial`, `--incremental`, …) plus the
/// live feed (`--realtime`) and the streaming options.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a period (--initial), the next day (--incremental) or a live feed (--realtime)."
    )

    @Flag(help: "Start a new history from --start-date to --end-date.")
    var initial = false

    @Flag(help: "Add the day after the last generated one (see --date).")
    var incremental = false

    @Flag(help: "Live feed: simulated time = now (in --timezone), daily files, until SIGINT/SIGTERM.")
    var realtime = false

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

    @Flag(help: "Print warnings and errors only (no progress).")
    var quiet = false

    @Option(help: "Seed of a new simulation (incremental and live runs continue with the saved one).")
    var seed: UInt64?

    @Option(help: "Multiplies the merchant population and the monthly growth and churn caps.")
    var scale: Double = 1

    @Option(help: "max, realtime, or simulated seconds per wall second (e.g. 3600). Default: max; realtime for --realtime.")
    var pace: String?

    @Option(help: "IANA time zone of the simulated clock: timestamps are its wall-clock time; Kafka timestamps the UTC instants.")
    var timezone = "UTC"

    @OptionGroup(title: "Kafka")
    var kafka: KafkaOptions

    static let defaultSeed: UInt64 = 42

    func validate() throws {
        guard [initial, incremental, realtime].filter({ $0 }).count == 1 else {
            throw ValidationError("choose one of --initial, --incremental or --realtime")
        }
        if initial {
            guard startDate != nil, endDate != nil else { throw ValidationError("--initial needs --start-date and --end-date") }
        } else if startDate != nil || endDate != nil {
            throw ValidationError("--start-date/--end-date go with --initial")
        }
        if date != nil && !incremental { throw ValidationError("--date goes with --incremental") }
        guard scale.isFinite, scale > 0, scale <= 10_000 else {
            throw ValidationError("--scale must be a number above 0 (at most 10000), got \(scale)")
        }
        if let pace {
            guard let parsed = Pace(argument: pace) else {
                throw ValidationError("--pace must be max, realtime or a positive number, got '\(pace)'")
            }
            if realtime && parsed == .max { throw ValidationError("--realtime runs on a clock: --pace max does not go with it") }
        }
        if SimulatedTimeZone(identifier: timezone) == nil {
            throw ValidationError("--timezone '\(timezone)' is not an IANA time zone (e.g. America/New_York)")
        }
    }

    func run() throws {
        let logger = ConsoleLogHandler.logger(debug: debug, quiet: quiet)
        let folder = try OutputFolder(path: outputDir)
        let snapshot = StateSnapshot(folder: folder.path)
        let plan = try RunPlanner(command: self, folder: folder, snapshot: snapshot).plan()
        // Kafka first: an unreachable broker or a bad -X is refused before any file is touched.
        let kafkaConnection = try KafkaConnection.open(kafka, zone: SimulatedTimeZone(identifier: timezone)!, logger: logger)
        defer { kafkaConnection?.shutDown() }
        StopSignal.install()

        let progress = Progress(quiet: quiet, logger: logger)
        progress.totalDays = plan.dayCount
        let run = ReplayRun(
            state: plan.state, streams: kafkaConnection.map { [$0.sink] } ?? [],
            snapshot: snapshot,
            makeFiles: { period, state in
                try CSVFileSink(folder: folder.path, period: period, continuing: state.partialDay?.date == period.start)
            },
            shouldStop: { StopSignal.isRequested }, progress: progress)
        var outcome = ReplayRun.Outcome.completed
        do {
            if !plan.catchUp.isEmpty {
                logger.info("catching up \(plan.catchUp.count) missing days at full speed")
                outcome = try run.run(plan.catchUp, pacer: Pacer(pace: .max))
            }
            if outcome == .completed {
                let pacer = Pacer(pace: plan.pace, isInterrupted: { StopSignal.isRequested })
                // A history's schedule starts with its first event; a live feed's is the wall clock.
                pacer.anchor(at: plan.anchor(), atFirstWait: plan.dayCount != nil)
                progress.lagOf = { pacer.lag(of: $0) }
                outcome = try run.run(plan.periods, pacer: pacer)
            }
        } catch {
            run.finish(completed: false)
            throw error
        }
        run.finish(completed: outcome == .completed)
        logger.info("\(progress.summary(stopped: outcome == .stopped))\(PeakMemory.summary) → \(folder.path)")
        for line in kafkaConnection?.sink.summary ?? [] { logger.info("\(line)") }
        if outcome == .stopped, let resume = plan.resumeHint(run.checkpointed) { logger.info("\(resume)") }
    }
}
