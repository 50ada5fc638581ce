import ArgumentParser
import SimulatedClock
import Engine
import Records
import Foundation
import KafkaClient
import Logging
import SchemaRegistry
import Simulation
import Checkpoints
import BatchFiles

/// `replay [generate]`: the spec's command line (`--initial`, `--incremental`, …) plus the
/// live feed (`--realtime`) and the streaming options. Parses, wires the run engine to the
/// console, the signals and the sinks, and prints.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a period (--initial), the next day (--incremental) or a live feed (--realtime).",
        discussion: "Crash-only: if a run is killed or stopped, run the same command again; it continues where it left off, exactly once in the files and in Kafka."
    )

    @Flag(help: "Start a new history from --start-date to --end-date (or continue that unfinished run).")
    var initial = false

    @Flag(help: "Add the day after the last generated one (see --date).")
    var incremental = false

    @Flag(help: "Live feed: simulated time = now (in --timezone), daily files, until SIGINT/SIGTERM.")
    var realtime = false

    @Option(name: .customLong("start-date"), help: "First day of an initial run (YYYY-MM-DD).", transform: ArgumentFormat.day)
    var startDate: Day?

    @Option(name: .customLong("end-date"), help: "Last day of an initial run (YYYY-MM-DD).", transform: ArgumentFormat.day)
    var endDate: Day?

    @Option(help: "Day of an incremental run (YYYY-MM-DD); default: yesterday (UTC).", transform: ArgumentFormat.day)
    var date: Day?

    @Option(name: .customLong("output-dir"), help: "Folder of the batch files and merchants.json.")
    var outputDir = "./raw_data"

    @Flag(name: .shortAndLong, help: "Start this run over (an initial run replaces existing output); an incremental run does not ask first.")
    var force = false

    @Flag(help: "Print per-day figures and debug lines (librdkafka's too).")
    var debug = false

    @Flag(help: "Print warnings and errors only (no progress).")
    var quiet = false

    // Numbers are read even when they start with '-', so that a negative one is refused for what it is.
    @Option(parsing: .unconditional, help: "Seed of a new simulation, 0 to 18446744073709551615 (incremental and live runs continue with the saved one).",
            transform: ArgumentFormat.seed)
    var seed: UInt64?

    @Option(parsing: .unconditional,
            help: "Multiplies the merchant population and the monthly growth and churn caps, from 0.02 (10 merchants) to 10000 (default 1; incremental and live runs continue with the saved one).",
            transform: ArgumentFormat.number)
    var scale: Double?

    @Option(parsing: .unconditional,
            help: "max, realtime, or simulated seconds per wall second from 0.01 to 1e9 (e.g. 3600). Default: max; realtime for --realtime.",
            transform: ArgumentFormat.pace)
    var pace: Pace?

    @Option(help: "IANA time zone of the simulated clock: timestamps are its wall-clock time; Kafka timestamps the UTC instants. Default: UTC for a new simulation, the saved one otherwise.",
            transform: ArgumentFormat.timeZone)
    var timezone: SimulatedTimeZone?

    @Option(help: ArgumentHelp("Run as shard I of N: publish and write only the events of the Kafka partitions p with p mod N = I, "
                               + "in the folder shard-I-of-N of --output-dir; auto/N takes I from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job).",
                               valueName: "I/N"), transform: ShardOption.parse)
    var shard: ShardOption = .fixed(.whole)

    @Option(name: .customLong("log-format"), help: "text (for a person) or json (one object per line, for a log collector); both on stderr.")
    var logFormat: LogFormat = .text

    @Flag(name: .customLong("check-config"),
          help: "Check every option and the Kafka properties, print what would run and exit, touching no folder and no network.")
    var checkConfig = false

    @OptionGroup(title: "Kafka")
    var kafka: KafkaOptions

    @OptionGroup(title: "Disorder (for testing streaming pipelines; Kafka only, the files stay in event-time order)")
    var disorder: DisorderOptions

    @OptionGroup(title: "Metrics and health")
    var metrics: MetricsOptions

    /// The options that go together, and each group's own checks. Run first in `run`, not in the
    /// parser's `validate`, which runs before the parser reports an unknown option (whose message
    /// should win: `--initial --strat-date …` is a typo, not a missing `--start-date`).
    func check() throws {
        try kafka.check()
        try metrics.check()
        try disorder.check()
        guard [initial, incremental, realtime].filter({ $0 }).count == 1 else {
            throw ValidationError("choose one of --initial, --incremental or --realtime")
        }
        if initial {
            guard let startDate, let endDate else { throw ValidationError("--initial needs --start-date and --end-date") }
            guard startDate <= endDate else { throw ValidationError("--end-date \(endDate) is before --start-date \(startDate)") }
        } else if startDate != nil || endDate != nil {
            throw ValidationError("--start-date/--end-date go with --initial")
        }
        if date != nil && !incremental { throw ValidationError("--date goes with --incremental") }
        if let scale, !Self.scaleRange.contains(scale) {
            throw ValidationError("--scale must be from 0.02 (10 merchants, one arrival and one churn a month at most) to 10000, got \(scale)")
        }
        if realtime && pace == .max { throw ValidationError("--realtime runs on a clock: --pace max does not go with it") }
        if shard.count > 1 {
            if realtime { throw ValidationError("--shard splits a history (--initial, --incremental); a live feed runs as one process") }
            if kafka.brokers == "embedded" {
                throw ValidationError("--shard needs a cluster that every shard reaches (--brokers HOST:PORT) or --brokers none: an embedded broker lives in one process")
            }
        }
    }

    /// The command as the engine's typed request.
    var request: RunRequest {
        let mode: RunRequest.Mode = initial ? .initial(Period(start: startDate!, end: endDate!))
            : incremental ? .incremental(date) : .realtime
        return RunRequest(mode: mode, seed: seed, scale: scale, timeZone: timezone, pace: pace, force: force, kafka: kafka.target,
                          disorder: disorder.settings, writesDisorderLog: disorder.writesLog)
    }

    /// `--scale`: from 10 merchants, with growth and churn caps of at least one a month, to 10,000 times the spec's volume.
    static let scaleRange = 0.02...10_000.0

    func run() throws {
        try check()
        if checkConfig { return StandardOutput.write(try ConfigCheck(command: self).report()) }
        // First, so that a signal during the start (connecting, reading the topics back) is a stop too.
        StopSignal.install(announcing: logFormat == .text)
        let logger = ConsoleLogHandler.logger(debug: debug, quiet: quiet, format: logFormat)
        for warning in try kafka.warnings { logger.warning("\(warning)") }
        var started = false
        do {
            try generate(logger: logger, started: &started)
        } catch where !started && Self.isStopRequest(error) {
            logger.info("stopped before the run started: run the same command again to start it")
            throw ExitStatus.stopped(history: !realtime)
        }
    }

    /// True for what a step of the start throws when it ends early because of a stop request.
    private static func isStopRequest(_ error: Error) -> Bool {
        error is Interruption.Stopped || (error as? SchemaRegistryError)?.stoppedOnRequest == true
    }

    /// The run, from the folder's lock to the summary; `started` turns true once the run has begun
    /// (before it, a stop request ends whatever step is waiting).
    private func generate(logger: Logger, started: inout Bool) throws {
        var killSwitch = try KillSwitch.fromEnvironment()
        let shard = try self.shard.resolve()
        let root = try OutputFolder(path: outputDir)
        let folder = shard.isWhole ? root : try OutputFolder(path: ShardOption.folder(of: shard, in: root.path))
        let lock = try folder.lockForWriting()
        defer { withExtendedLifetime(lock) {} }
        let plan: RunPlan
        switch try RunPlanner(request: request, folder: folder.path).plan() {
        case let .alreadyComplete(message):
            logger.info("\(message)")
            return
        case let .run(planned):
            plan = planned
        }
        if let question = plan.confirmation { try Confirmation.ask(question) }
        let timezone = plan.timeZone
        if plan.timeZoneIsSaved && timezone.identifier != RunRequest.defaultTimeZone {
            logger.info("time zone \(timezone.identifier), as saved in \(folder.path)/\(StateSnapshot.fileName)")
        }
        // Metrics and Kafka first: a busy port, an unreachable broker or a bad -X is refused before any file is touched.
        let telemetry = try metrics.port.map { _ in try RunTelemetry(options: metrics, zone: timezone, logger: logger) }
        defer { telemetry?.shutDown() }
        let state = plan.start.state
        let disorderRecord = plan.start.unfinishedRun?.disorder
        let runId = RecordIdentity.runId(seed: state.seed, scale: state.scale, firstDay: plan.firstDay, timeZone: timezone.identifier,
                                         disorder: disorderRecord?.settings)
        if disorderRecord != nil && kafka.brokers == "none" {
            logger.warning("late and duplicate delivery shape the Kafka stream: with --brokers none only the disorder log shows them")
        }
        let kafkaConnection = try KafkaConnection.open(kafka, pace: plan.pace, zone: timezone, runId: runId,
                                                       unfinished: plan.continues ? plan.start.unfinishedRun?.kafka : nil,
                                                       shard: shard, epoch: disorderRecord?.epoch, statistics: telemetry != nil, logger: logger,
                                                       interruption: Interruption { StopSignal.isRequested })
        defer { kafkaConnection?.shutDown() }
        telemetry?.attach(kafkaConnection)
        var start = plan.start
        let partitionCounts = kafkaConnection?.sink.partitionCounts
        start.unfinishedRun?.kafka?.partitions = partitionCounts ?? []
        if !shard.isWhole {
            try manifest(of: plan, partitionCounts: partitionCounts).claim(in: root.path, shard: shard)
            logger.info("shard \(shard): \(partitionCounts == nil ? "merchants whose key's murmur2" : "partitions p with p") mod \(shard.count) = \(shard.index), files in \(folder.path)")
        }
        let ownership = ShardOwnership(shard: shard, partitionCounts: partitionCounts)
        let disorderLog = disorderRecord.flatMap { $0.writesLog ? DeliveryPlan(settings: $0.settings, seed: state.seed, zone: timezone) : nil }
        let written = WrittenRows()
        if let connection = kafkaConnection, connection.lostRecords {
            let republisher = Republisher(checkpoint: plan.start, zone: timezone)
            guard try republisher.republish(to: [connection.sink], shouldStop: { StopSignal.isRequested }) else {
                logger.info("stopped: run the same command again to continue")
                throw ExitStatus.stopped(history: plan.isHistory)
            }
        }
        let progress = ProgressDisplay(quiet: quiet, logger: logger, bar: logFormat == .text)
        progress.totalDays = plan.dayCount
        let run = ReplayRun(
            start: start, zone: timezone, publishers: kafkaConnection.map { [$0.sink] } ?? [],
            snapshot: StateSnapshot(folder: folder.path),
            openFiles: { period, lengths in
                let sink = try CSVFileSink(folder: folder.path, period: period, resumingFrom: lengths, ownership: ownership,
                                           disorderLog: disorderLog)
                written.opened(sink)
                return sink
            },
            shouldStop: { StopSignal.isRequested }, observers: [progress] + (telemetry.map { [$0.metrics] } ?? []))
        if killSwitch != nil { run.reached = { killSwitch?.reach($0) } }
        if plan.continues {
            logger.info("continuing the unfinished run recorded in \(folder.path)/\(StateSnapshot.fileName)")
        } else {
            try run.begin()
        }
        started = true
        let outcome: ReplayRun.Outcome
        do {
            outcome = try drive(run, plan, progress: progress, telemetry: telemetry, logger: logger)
        } catch {
            telemetry?.health.markStopping()
            run.finish(completed: false)
            throw error
        }
        run.finish(completed: outcome == .completed)
        logger.info("\(progress.summary(stopped: outcome == .stopped))\(PeakMemory.summary) → \(folder.path)")
        if !shard.isWhole {
            logger.info("shard \(shard) wrote \(written.transactions) of these transactions to its files")
        }
        for line in kafkaConnection?.sink.summary ?? [] { logger.info("\(line)") }
        if let figures = run.disorderFigures {
            let pending = figures.pending > 0 ? "; \(figures.pending) still pending, kept in \(StateSnapshot.fileName) for the next run" : ""
            logger.info("disorder: delivered \(figures.late) late and \(figures.duplicates) duplicates\(pending)")
        }
        telemetry?.linger(outcome == .completed ? metrics.linger : 0, logger: logger)
        if outcome == .stopped {
            logger.info("stopped: run the same command again to continue")
            throw ExitStatus.stopped(history: plan.isHistory)
        }
    }

    /// What every shard of this run must agree on (see `ShardManifest`).
    private func manifest(of plan: RunPlan, partitionCounts: [Int]?) -> ShardManifest {
        let state = plan.start.state
        return ShardManifest(period: plan.periods.makeIterator().next()!, seed: state.seed, scale: state.scale, firstDay: plan.firstDay,
                             timeZone: plan.timeZone.identifier, shardCount: shard.count,
                             topics: partitionCounts == nil ? nil : kafka.topics.names, partitionCounts: partitionCounts,
                             disorder: plan.start.unfinishedRun?.disorder)
    }

    /// Runs the catch-up days at full speed, then the plan's periods on its clock.
    private func drive(_ run: ReplayRun, _ plan: RunPlan, progress: ProgressDisplay, telemetry: RunTelemetry?,
                       logger: Logger) throws -> ReplayRun.Outcome {
        if !plan.catchUp.isEmpty {
            logger.info("catching up \(plan.catchUp.count) missing days at full speed")
            let outcome = try run.run(plan.catchUp, pacer: Pacer(pace: .max), finishing: false)
            if outcome == .stopped { return outcome }
        }
        // The pacer polls while it waits: the run loop's heartbeat for /healthz.
        let pacer = Pacer(pace: plan.pace, isInterrupted: {
            telemetry?.health.beat()
            return StopSignal.isRequested
        })
        // A history's schedule starts with its first event; a live feed's is the wall clock.
        pacer.anchor(at: plan.anchor(), atFirstWait: plan.isHistory)
        progress.lagOf = { pacer.lag(of: $0) }
        telemetry?.metrics.lagOf = { pacer.lag(of: $0) }
        return try run.run(plan.periods, pacer: pacer, finishing: plan.isHistory)
    }
}

/// Transaction rows the file sinks of this process wrote, for a shard's summary. Keeps only the
/// current sink (a live feed opens one a day).
private final class WrittenRows {
    private var closedPeriods = 0
    private var current: CSVFileSink?

    func opened(_ sink: CSVFileSink) {
        closedPeriods += current?.transactionRows ?? 0
        current = sink
    }

    var transactions: Int { closedPeriods + (current?.transactionRows ?? 0) }
}
