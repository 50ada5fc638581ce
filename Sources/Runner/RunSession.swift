import BatchFiles
import Checkpoints
import Engine
import Foundation
import KafkaClient
import Logging
import Records
import SchemaRegistry
import SimulatedClock
import Simulation

/// One run of replay, from the output folder's lock to the summary: plans it from the request and
/// `merchants.json`, serves its metrics, connects to Kafka (registering the value schemas and
/// reading back what the topics hold), publishes again what a broker lost, then runs the plan
/// through the file and Kafka sinks. What happens goes to `logger` (one line per step) and to the
/// observers; how it ended comes back as a `RunSummary`. Crash-only: a session that dies or stops
/// continues exactly where it left off when the same request runs again.
public final class RunSession {
    public let request: SessionRequest
    private let logger: Logger
    private let observers: [RunObserver]
    private let shouldStop: @Sendable () -> Bool
    private let confirm: (String) throws -> Void
    /// Called at each step of the commit protocol (a test build kills the process at a chosen one).
    public var reached: ((CommitStep) -> Void)?

    /// `shouldStop` is asked between slices and while the start waits; `confirm` is asked the
    /// plan's question (an incremental run without `force`) and throws to refuse it.
    public init(_ request: SessionRequest, logger: Logger, observers: [RunObserver] = [],
                shouldStop: @escaping @Sendable () -> Bool = { false },
                confirm: @escaping (String) throws -> Void = { throw UserError("\($0) Not confirmed: pass -f/--force to run without confirmation") }) {
        self.request = request
        self.logger = logger
        self.observers = observers
        self.shouldStop = shouldStop
        self.confirm = confirm
    }

    /// Runs the request; throws `UserError` (one line) for what cannot run, before any file is touched where it can tell.
    public func run() throws -> RunSummary {
        if let problem = request.problem { throw UserError(problem) }
        for warning in try request.kafka.warnings { logger.warning("\(warning)") }
        var started = false
        do {
            return try run(started: &started)
        } catch where !started && Self.isStopRequest(error) {
            return RunSummary(outcome: .stoppedBeforeStart, isHistory: request.run.mode != .realtime)
        }
    }

    /// True for what a step of the start throws when it ends early because of a stop request.
    private static func isStopRequest(_ error: Error) -> Bool {
        error is Interruption.Stopped || (error as? SchemaRegistryError)?.stoppedOnRequest == true
    }

    /// The run; `started` turns true once it has begun (before it, a stop request ends whatever step is waiting).
    private func run(started: inout Bool) throws -> RunSummary {
        let shard = request.shard
        let root = try OutputFolder(path: request.outputDir)
        let folder = shard.isWhole ? root : try OutputFolder(path: SessionRequest.folder(of: shard, in: root.path))
        let lock = try folder.lockForWriting()
        defer { withExtendedLifetime(lock) {} }
        let plan: RunPlan
        let planner = RunPlanner(request: request.plannedRun, folder: folder.path)
        let snapshot = planner.snapshot
        switch try planner.plan() {
        case let .alreadyComplete(message):
            logger.info("\(message)")
            return RunSummary(outcome: .alreadyComplete, isHistory: true)
        case let .run(planned):
            plan = planned
        }
        if let question = plan.confirmation { try confirm(question) }
        let timezone = plan.timeZone
        if plan.timeZoneIsSaved && timezone.identifier != RunRequest.defaultTimeZone {
            logger.info("time zone \(timezone.identifier), as saved in \(folder.path)/\(StateSnapshot.fileName)")
        }
        // Metrics and Kafka first: a busy port, an unreachable broker or a bad property is refused before any file is touched.
        let streams = EventStreams.of(plan.start.state)
        for name in Self.otherStreamsFiles(of: plan, besides: streams) where FileManager.default.fileExists(atPath: folder.path + "/" + name) {
            logger.warning("\(folder.path)/\(name) is left from another simulation: this one has no lifecycle, so the run does not replace it")
        }
        let telemetry = try request.metrics.map { try RunTelemetry(settings: $0, zone: timezone, streams: streams, logger: logger) }
        defer { telemetry?.shutDown() }
        let state = plan.start.state
        let disorderRecord = plan.start.unfinishedRun?.disorder
        let runId = RecordIdentity.runId(seed: state.seed, scale: state.scale, firstDay: plan.firstDay, timeZone: timezone.identifier,
                                         disorder: disorderRecord?.settings, scenario: state.scenario)
        if disorderRecord != nil && !request.kafka.brokers.publishes {
            logger.warning("late and duplicate delivery shape the Kafka stream: with --brokers none only the disorder log shows them")
        }
        let topics = plan.start.unfinishedRun?.kafka?.topics ?? []
        for (stream, topic) in zip(EventStreams.all, request.kafka.topics).dropFirst(streams.count) where topic != stream.defaultTopic {
            logger.warning("--topic \(stream.name)=\(topic) is unused: the simulation in \(folder.path) has no \(stream.name) (see --lifecycle)")
        }
        let kafkaConnection = try KafkaConnection.open(request.kafka, streams: streams, topics: topics, pace: plan.pace, zone: timezone, runId: runId,
                                                       unfinished: plan.continues ? plan.start.unfinishedRun?.kafka : nil,
                                                       shard: shard, epoch: disorderRecord?.epoch, statistics: telemetry != nil, logger: logger,
                                                       interruption: Interruption(shouldStop))
        defer { kafkaConnection?.shutDown() }
        telemetry?.attach(kafkaConnection)
        var start = plan.start
        let partitionCounts = kafkaConnection?.sink.partitionCounts
        start.unfinishedRun?.kafka?.partitions = partitionCounts ?? []
        if !shard.isWhole {
            try manifest(of: plan, topics: topics, partitionCounts: partitionCounts).claim(in: root.path, shard: shard)
            logger.info("shard \(shard): \(partitionCounts == nil ? "merchants whose key's murmur2" : "partitions p with p") mod \(shard.count) = \(shard.index), files in \(folder.path)")
        }
        let ownership = ShardOwnership(shard: shard, partitionCounts: partitionCounts)
        let disorderLog = disorderRecord.flatMap { $0.writesLog ? DeliveryPlan(settings: $0.settings, seed: state.seed, zone: timezone) : nil }
        let written = WrittenRows()
        if let connection = kafkaConnection, connection.lostRecords {
            let republisher = Republisher(checkpoint: plan.start, zone: timezone, scratchFolder: folder.path, limits: request.dayParts)
            guard try republisher.republish(to: [connection.sink], shouldStop: shouldStop) else {
                return RunSummary(outcome: .stopped, isHistory: plan.isHistory)
            }
        }
        let totals = RunTotals(isHistory: plan.isHistory, streams: streams)
        let observers = [totals] + self.observers + (telemetry.map { [$0.metrics] } ?? [])
        for observer in observers { observer.scheduled(days: plan.dayCount) }
        let run = ReplayRun(
            start: start, zone: timezone, publishers: kafkaConnection.map { [$0.sink] } ?? [],
            snapshot: snapshot, scratchFolder: folder.path,
            openFiles: { period, lengths in
                let sink = try CSVFileSink(folder: folder.path, period: period, resumingFrom: lengths, streams: streams, ownership: ownership,
                                           disorderLog: disorderLog)
                written.opened(sink)
                return sink
            },
            shouldStop: shouldStop, observers: observers, limits: request.dayParts)
        if let reached {
            run.reached = reached
            snapshot.reached = { reached(CommitStep($0)) }
        }
        if plan.continues {
            logger.info("continuing the unfinished run recorded in \(folder.path)/\(StateSnapshot.fileName)")
        } else {
            try run.begin()
        }
        started = true
        let outcome: ReplayRun.Outcome
        do {
            outcome = try drive(run, plan, observers: observers, telemetry: telemetry)
        } catch {
            telemetry?.health.markStopping()
            run.finish(completed: false)
            compact(snapshot)
            throw error
        }
        run.finish(completed: outcome == .completed)
        compact(snapshot)
        for observer in observers { observer.ended() }
        var summary = totals.ended(outcome == .completed ? .completed : .stopped)
        summary.writtenTransactions = written.transactions
        summary.disorder = run.disorderFigures.map { RunSummary.DisorderFigures(late: $0.late, duplicates: $0.duplicates, pending: $0.pending) }
        logger.info("\(summary.line)\(PeakMemory.mebibytes().map { ", peak RSS \($0.twoDecimals) MiB" } ?? "") → \(folder.path)")
        if !shard.isWhole {
            logger.info("shard \(shard) wrote \(summary.writtenTransactions) of these transactions to its files")
        }
        for line in kafkaConnection?.sink.summary ?? [] { logger.info("\(line)") }
        if let figures = summary.disorder {
            let pending = figures.pending > 0 ? "; \(figures.pending) still pending, kept in \(StateSnapshot.fileName) for the next run" : ""
            logger.info("disorder: delivered \(figures.late) late and \(figures.duplicates) duplicates\(pending)")
        }
        telemetry?.linger(outcome == .completed ? request.metrics?.linger ?? 0 : 0, logger: logger, shouldStop: shouldStop)
        return summary
    }

    /// Once the run is over (completed, stopped or failed), folds the journal into
    /// `merchants.json`, so that the folder holds the state in one file until the next run (a
    /// completed run's last checkpoint already wrote it whole). A failure is a warning: the
    /// journal still holds the state.
    private func compact(_ snapshot: StateSnapshot) {
        do {
            try snapshot.compact()
        } catch {
            logger.warning("\(error); \(snapshot.journalPath) keeps the last checkpoints, the next run or `replay compact` folds them in")
        }
    }

    /// The files of the first period of `plan` that the streams of `EventStreams.all` other than
    /// `streams` would write (the lifecycle's, for a simulation without it).
    private static func otherStreamsFiles(of plan: RunPlan, besides streams: [any EventStream]) -> [String] {
        guard let period = plan.catchUp.first ?? plan.periods.makeIterator().next() else { return [] }
        return EventStreams.all.dropFirst(streams.count).map { period.fileName($0.batchFile.stem) }
    }

    /// What every shard of this run must agree on (see `ShardManifest`).
    private func manifest(of plan: RunPlan, topics: [String], partitionCounts: [Int]?) -> ShardManifest {
        let state = plan.start.state
        return ShardManifest(period: plan.periods.makeIterator().next()!, seed: state.seed, scale: state.scale, firstDay: plan.firstDay,
                             timeZone: plan.timeZone.identifier, shardCount: request.shard.count,
                             topics: partitionCounts == nil ? nil : topics, partitionCounts: partitionCounts,
                             disorder: plan.start.unfinishedRun?.disorder, lifecycle: state.lifecycle, scenario: state.scenario)
    }

    /// Runs the catch-up days at full speed, then the plan's periods on its clock.
    private func drive(_ run: ReplayRun, _ plan: RunPlan, observers: [RunObserver], telemetry: RunTelemetry?) throws -> ReplayRun.Outcome {
        if !plan.catchUp.isEmpty {
            logger.info("catching up \(plan.catchUp.count) missing days at full speed")
            let outcome = try run.run(plan.catchUp, pacer: Pacer(pace: .max), finishing: false)
            if outcome == .stopped { return outcome }
        }
        // The pacer polls while it waits: the run loop's heartbeat for /healthz.
        let pacer = Pacer(pace: plan.pace, isInterrupted: { [shouldStop] in
            telemetry?.health.beat()
            return shouldStop()
        }, whileWaiting: { second in
            for observer in observers { observer.waiting(at: second) }
        })
        // A history's schedule starts with its first event; a live feed's is the wall clock.
        pacer.anchor(at: plan.anchor(), atFirstWait: plan.isHistory)
        for observer in observers { observer.paced(lag: { pacer.lag(of: $0) }) }
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
