import ArgumentParser
import Engine
import Logging
import Records
import Runner
import SimulatedClock
import Simulation
import Synchronization

/// `replay [generate]`: the spec's command line (`--initial`, `--incremental`, …) plus the
/// live feed (`--realtime`) and the streaming options. Parses them into a `SessionRequest`, runs
/// it as a `RunSession` with the console's progress, the stop signals and the confirmation prompt,
/// and maps how it ended to an exit status.
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

    @Flag(help: "Start a simulation with the payment lifecycle: an authorizations file and topic (an ISO 8583 response per payment). Incremental and live runs continue the saved simulation as it is.")
    var lifecycle = false

    @Option(help: ArgumentHelp("A YAML file of the payment lifecycle's rates for a new simulation (so far the decline codes' shares; see the lifecycle article); "
                               + "checked up front and saved in merchants.json, so later runs continue with them.", valueName: "file"))
    var scenario: String?

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
        // The scenario file itself is read once, by the run's request (or by --check-config).
        if scenario != nil && initial && !lifecycle { throw ValidationError("--scenario sets the rates of the payment lifecycle: pass --lifecycle too") }
        if let problem = SessionRequest.shardingProblem(shards: shard.count, mode: mode, brokers: kafka.brokers) {
            throw ValidationError(problem)
        }
    }

    /// The run's mode (call after `check`).
    private var mode: RunRequest.Mode {
        initial ? .initial(Period(start: startDate!, end: endDate!)) : incremental ? .incremental(date) : .realtime
    }

    /// The command as the library's typed request, with `--shard auto/N` resolved.
    func sessionRequest() throws -> SessionRequest {
        let run = RunRequest(mode: mode, seed: seed, scale: scale, timeZone: timezone, pace: pace, force: force, kafka: nil,
                             disorder: disorder.settings, writesDisorderLog: disorder.writesLog, lifecycle: lifecycle,
                             scenario: try scenario.map(ScenarioFile.read))
        var request = SessionRequest(run: run, outputDir: outputDir, shard: try shard.resolve(), kafka: kafka.settings, metrics: metrics.settings)
        if let dayParts = Self.dayParts.withLock({ $0 }) { request.dayParts = dayParts }
        return request
    }

    /// Called at each commit step of the run: set by the fault-injection build's entry point only.
    static let commitStepHook = Mutex<(@Sendable (CommitStep) -> Void)?>(nil)
    /// How runs cut their days when not as usual: set by the fault-injection build's entry point only.
    static let dayParts = Mutex<DayPartLimits?>(nil)

    /// `--scale`: from 10 merchants, with growth and churn caps of at least one a month, to 10,000 times the spec's volume.
    static let scaleRange = 0.02...10_000.0

    func run() throws {
        try check()
        if checkConfig { return StandardOutput.write(try ConfigCheck(command: self).report()) }
        // First, so that a signal during the start (connecting, reading the topics back) is a stop too.
        StopSignal.install(announcing: logFormat == .text)
        let logger = ConsoleLogHandler.logger(debug: debug, quiet: quiet, format: logFormat)
        let session = RunSession(try sessionRequest(), logger: logger,
                                 observers: [ProgressDisplay(quiet: quiet, logger: logger, bar: logFormat == .text)],
                                 shouldStop: { StopSignal.isRequested }, confirm: Confirmation.ask)
        if let hook = Self.commitStepHook.withLock({ $0 }) { session.reached = hook }
        let summary = try session.run()
        switch summary.outcome {
        case .completed, .alreadyComplete:
            return
        case .stoppedBeforeStart:
            logger.info("stopped before the run started: run the same command again to start it")
        case .stopped:
            logger.info("stopped: run the same command again to continue")
        }
        throw ExitStatus.stopped(history: summary.isHistory)
    }
}
