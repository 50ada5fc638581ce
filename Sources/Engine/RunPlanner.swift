import SimulatedClock
import Foundation
import Simulation
import Checkpoints
import Records

/// What a command asks for, parsed and typed.
public struct RunRequest: Sendable {
    public enum Mode: Equatable, Sendable {
        /// A new history over a period.
        case initial(Period)
        /// The day after the saved state's last one; nil = the unfinished incremental day, or yesterday (UTC).
        case incremental(Day?)
        /// A live feed from now on.
        case realtime
    }

    public var mode: Mode
    /// nil: 42 for a new simulation, the saved seed otherwise.
    public var seed: UInt64?
    /// nil: 1 for a new simulation, the saved scale otherwise.
    public var scale: Double?
    /// `--timezone`; nil: the saved simulation's, or UTC for a new one.
    public var timeZone: SimulatedTimeZone?
    /// nil: max, or real time for a live feed.
    public var pace: Pace?
    /// `-f`: start this run over (and do not ask).
    public var force: Bool
    /// nil for a files-only run.
    public var kafka: RunRecord.KafkaTarget?
    /// Late and duplicate delivery; nil (or settings that are off) for in-order delivery.
    public var disorder: DisorderSettings?
    /// `--disorder-log`.
    public var writesDisorderLog: Bool
    /// `--lifecycle`: a new simulation produces the payment lifecycle's streams; false: as saved
    /// (off for a new simulation).
    public var lifecycle: Bool
    /// `--scenario`: the lifecycle's rates of a new simulation; nil: the defaults, or as saved.
    public var scenario: LifecycleScenario?

    public static let defaultSeed: UInt64 = 42
    /// The zone of a new simulation without `--timezone`.
    public static let defaultTimeZone = "UTC"

    public init(mode: Mode, seed: UInt64?, scale: Double?, timeZone: SimulatedTimeZone?, pace: Pace?, force: Bool,
                kafka: RunRecord.KafkaTarget?, disorder: DisorderSettings? = nil, writesDisorderLog: Bool = false, lifecycle: Bool = false,
                scenario: LifecycleScenario? = nil) {
        self.mode = mode
        self.seed = seed
        self.scale = scale
        self.timeZone = timeZone
        self.pace = pace
        self.force = force
        self.kafka = kafka
        self.disorder = disorder.flatMap { $0.isOff ? nil : $0 }
        self.writesDisorderLog = writesDisorderLog
        self.lifecycle = lifecycle
        self.scenario = scenario
    }

    /// The state a new simulation in `zone` starts from.
    func newState(in zone: SimulatedTimeZone) -> SimulationState {
        SimulationState(seed: seed ?? Self.defaultSeed, scale: scale ?? 1, timeZone: zone.identifier, lifecycle: lifecycle,
                        scenario: scenario ?? .standard)
    }
}

/// What a run starts from, which days it covers and on what clock.
public struct RunPlan {
    /// The state and record the run starts from.
    public var start: Checkpoint
    /// True when `merchants.json` already holds `start` (the run continues an unfinished one).
    public var continues: Bool
    /// The first day of the simulation (it names the run's records in Kafka).
    public var firstDay: Day
    /// The zone of the simulated clock: `--timezone`, or the saved simulation's.
    public var timeZone: SimulatedTimeZone
    /// True when the zone came from `merchants.json`, not from `--timezone`.
    public var timeZoneIsSaved = false
    /// Missing days before a live feed, run at max pace, one file pair each.
    public var catchUp: [Period] = []
    /// The periods run on `pace`; endless for a live feed.
    public var periods: AnySequence<Period>
    public var pace: Pace
    /// The simulated second that is "now" when the paced part starts.
    public var anchor: () -> Double
    /// Days in all; nil when endless (a live feed).
    public var dayCount: Int?
    /// What to ask before an incremental run without `-f`; nil: nothing to ask.
    public var confirmation: String?

    /// True for a history (initial or incremental), false for a live feed.
    public var isHistory: Bool { dayCount != nil }
}

/// What a command comes to, given the output folder.
public enum PlanOutcome {
    case run(RunPlan)
    /// The run this command describes is already complete; nothing to do (the message says so).
    case alreadyComplete(String)
}

/// Turns a request and the output folder into a plan, refusing what cannot run. A command whose
/// run `merchants.json` records as unfinished continues it; a different command is refused while
/// one is unfinished, unless `-f` starts over.
public struct RunPlanner {
    let request: RunRequest
    let folder: String
    /// The folder's state. `plan` loads it, so that the run's checkpoints go on from what it holds
    /// (appended to its journal): hand it to the run.
    public let snapshot: StateSnapshot
    /// The time zone's wall-clock time now, in simulated seconds (injected by tests); nil: the run's zone's.
    let localNow: (() -> Double)?

    public init(request: RunRequest, folder: String, localNow: (() -> Double)? = nil) {
        self.request = request
        self.folder = folder
        snapshot = StateSnapshot(folder: folder)
        self.localNow = localNow
    }

    public func plan() throws -> PlanOutcome {
        let saved = snapshot.exists ? try snapshot.load() : nil
        // A new simulation takes its rates with its lifecycle; a saved one is checked against them below.
        let startsNew: Bool
        switch request.mode {
        case .initial: startsNew = true
        case .incremental: startsNew = false
        case .realtime: startsNew = saved == nil
        }
        if startsNew, request.scenario != nil, !request.lifecycle {
            throw UserError("--scenario sets the rates of the payment lifecycle: pass --lifecycle too")
        }
        switch request.mode {
        case let .initial(period): return try initialPlan(period, saved: saved)
        case let .incremental(day): return try incrementalPlan(day, saved: saved)
        case .realtime: return try livePlan(saved: saved)
        }
    }

    private var pace: Pace { request.pace ?? (request.mode == .realtime ? .factor(1) : .max) }

    /// The record of a new run in `zone`, with or without the `lifecycle`'s streams (and so their
    /// topics); `epoch` (its first simulated day and a history's last) orders its deliveries.
    private func record(_ command: RunRecord.Command, _ period: Period? = nil, zone: SimulatedTimeZone, epoch: DeliveryEpoch,
                        lifecycle: Bool) throws -> RunRecord {
        var kafka = request.kafka
        if let target = kafka {
            let count = EventStreams.count(lifecycle: lifecycle)
            guard let topics = EventStreams.topics(target.topics, ofStreams: count) else {
                throw UserError("the run names \(target.topics.count) topics for the simulation's \(count) streams: name one for each of "
                    + EventStreams.all.prefix(count).map(\.name).joined(separator: ", "))
            }
            kafka?.topics = topics
        }
        return RunRecord(command: command, startDate: period?.start, endDate: period?.end,
                  timeZone: zone.identifier, kafka: kafka,
                  disorder: request.disorder.map { DisorderRecord(settings: $0, writesLog: request.writesDisorderLog, epoch: epoch) })
    }

    private func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: folder + "/" + name) }

    private func initialPlan(_ period: Period, saved: Checkpoint?) throws -> PlanOutcome {
        // Starting over (or anew), the zone is the command's; otherwise the saved simulation's.
        let keeps = saved != nil && !request.force
        let (zone, isSaved) = keeps ? try savedZone(of: saved!.state) : (request.timeZone ?? Self.utc, false)
        let wanted = try record(.initial, period, zone: zone, epoch: DeliveryEpoch(first: period.start, last: period.end), lifecycle: request.lifecycle)
        var start = Checkpoint(state: request.newState(in: zone), unfinishedRun: wanted)
        var continues = false
        if let saved, keeps {
            if saved.unfinishedRun != nil {
                // Before the record's comparison: with the lifecycle the record names another topic list too.
                try checkSameLifecycle(saved.state, starting: true)
                (start, continues, _) = try resume(saved, as: wanted, forceDrops: [])
                try checkSameSimulation(saved.state, seed: request.seed ?? RunRequest.defaultSeed, scale: request.scale ?? 1)
            } else if isComplete(saved.state, period) {
                return .alreadyComplete("the run \(wanted.commandLine) is already complete in \(folder): nothing to do")
            }
        }
        if !continues && !request.force {
            for name in [StateSnapshot.fileName] + periodFiles(period, of: start.state) where exists(name) {
                throw UserError("\(folder)/\(name) exists and an initial run would replace it: pass --force, or choose another --output-dir")
            }
        }
        try checkWritable(period, of: start.state)
        try checkKafkaCanHold(period.start, in: zone)
        let remaining = start.state.lastGeneratedDate.map { period.end.ordinal - $0.ordinal } ?? period.dayCount
        return .run(RunPlan(start: recordingZone(zone, in: start), continues: continues, firstDay: period.start, timeZone: zone,
                            timeZoneIsSaved: isSaved, periods: AnySequence([period]), pace: pace,
                            anchor: { Double(period.start.startSecond) }, dayCount: remaining))
    }

    /// True when `state` went through all of `period` from its first day, and the period's files are there.
    private func isComplete(_ state: SimulationState, _ period: Period) -> Bool {
        state.firstDate == period.start && (state.lastGeneratedDate.map { $0 >= period.end } ?? false)
            && state.seed == (request.seed ?? RunRequest.defaultSeed) && state.scale == (request.scale ?? 1)
            && state.lifecycle == request.lifecycle && state.scenario == (request.scenario ?? .standard) && streamFiles(period, of: state).allSatisfy(exists)
    }

    private func incrementalPlan(_ asked: Day?, saved: Checkpoint?) throws -> PlanOutcome {
        guard let saved else { throw UserError("no state at \(snapshot.path): run --initial first") }
        try checkSameSimulation(saved.state, seed: request.seed, scale: request.scale)
        try checkSameLifecycle(saved.state, starting: false)
        let (zone, isSaved) = try savedZone(of: saved.state)
        // Without --date, an unfinished incremental day is the day (even after midnight).
        let unfinishedDay = saved.unfinishedRun?.command == .incremental ? saved.unfinishedRun?.startDate : nil
        let day = asked ?? unfinishedDay ?? Self.yesterdayUTC()
        let wanted = try record(.incremental, Period(day: day), zone: zone, epoch: DeliveryEpoch(first: day, last: day), lifecycle: saved.state.lifecycle)
        let (start, continues, _) = try resume(saved, as: wanted, forceDrops: [.incremental, .realtime])
        let state = start.state
        guard let last = state.lastGeneratedDate, let expected = state.nextDay else {
            throw UserError("\(snapshot.path) has no complete day yet: finish the run that started it first")
        }
        let period = Period(day: day)
        if day == last && saved.unfinishedRun == nil && streamFiles(period, of: state).allSatisfy(exists) {
            return .alreadyComplete("the run \(wanted.commandLine) is already complete in \(folder): nothing to do")
        }
        guard day == expected else {
            let problem = state.firstDate.map { day < $0 } ?? false ? "is before the simulation's first day \(state.firstDate!)"
                : day <= last ? "is already generated" : "would leave a gap"
            throw UserError("--date \(day) \(problem): last_generated_date is \(last), so the next day is \(expected)")
        }
        try checkWritable(period, of: state)
        try checkKafkaCanHold(day, in: zone)
        let resuming = state.partialDay.map { " (resuming after its first \($0.transactions) transactions)" } ?? ""
        let files = streamFiles(period, of: state)
        let question = "Generate \(day)\(resuming) into \(folder): write \(files.dropLast().joined(separator: ", ")) and \(files.last!) "
            + "and update \(StateSnapshot.fileName)."
        return .run(RunPlan(start: recordingZone(zone, in: start), continues: continues, firstDay: state.firstDate ?? day, timeZone: zone,
                            timeZoneIsSaved: isSaved, periods: AnySequence([period]), pace: pace,
                            anchor: { Double(day.startSecond) }, dayCount: 1, confirmation: request.force ? nil : question))
    }

    private func livePlan(saved: Checkpoint?) throws -> PlanOutcome {
        let (zone, isSaved) = try saved.map { try savedZone(of: $0.state) } ?? (request.timeZone ?? Self.utc, false)
        let localNow = self.localNow ?? zone.localNow
        let today = Day(ordinal: Int((localNow() / 86_400).rounded(.down)))
        // The epoch's first day is set below, once known (a record's epoch is not compared).
        let wanted = try record(.realtime, zone: zone, epoch: DeliveryEpoch(first: today, last: nil),
                            lifecycle: saved?.state.lifecycle ?? request.lifecycle)
        var start = Checkpoint(state: request.newState(in: zone), unfinishedRun: wanted)
        var continues = false, carried = false
        if let saved {
            try checkSameSimulation(saved.state, seed: request.seed, scale: request.scale)
            try checkSameLifecycle(saved.state, starting: false)
            (start, continues, carried) = try resume(saved, as: wanted, forceDrops: [.incremental, .realtime])
        }
        let state = start.state
        // A feed killed before its first day was complete goes on from the day it started, not from today.
        let first = state.nextDay ?? state.partialDay?.date ?? start.unfinishedRun?.startDate ?? today
        if !continues && !carried { start.unfinishedRun?.disorder?.epoch.first = first }
        guard first <= today else {
            throw UserError("\(snapshot.path) is ahead of the clock: its next day \(first) is after today (\(today), \(zone.identifier))")
        }
        // The live simulation's first day, recorded so that a re-run after midnight continues the same simulation.
        if start.unfinishedRun?.startDate == nil { start.unfinishedRun?.startDate = state.firstDate ?? first }
        let catchUp = (first.ordinal..<today.ordinal).map { Period(day: Day(ordinal: $0)) }
        try checkWritable(catchUp.first ?? Period(day: today), of: state)
        try checkKafkaCanHold(first, in: zone)
        let live = sequence(first: Period(day: today)) { Period(day: $0.start.adding(days: 1)) }
        return .run(RunPlan(start: recordingZone(zone, in: start), continues: continues, firstDay: state.firstDate ?? first, timeZone: zone,
                            timeZoneIsSaved: isSaved, catchUp: catchUp, periods: AnySequence(live), pace: pace, anchor: localNow,
                            dayCount: nil))
    }

    private static let utc = SimulatedTimeZone(identifier: RunRequest.defaultTimeZone)!

    /// The zone a run continuing `state` runs in: the saved one (a `--timezone` that differs is
    /// refused, as another seed is), or `--timezone` (UTC when absent) for a state saved before
    /// zones were recorded. `isSaved`: it came from the state.
    private func savedZone(of state: SimulationState) throws -> (zone: SimulatedTimeZone, isSaved: Bool) {
        guard let savedName = state.timeZone else { return (request.timeZone ?? Self.utc, false) }
        if let asked = request.timeZone {
            guard asked.identifier == savedName else {
                throw UserError("--timezone \(asked.identifier) differs from the time zone \(savedName) of the simulation in \(snapshot.path); "
                    + "leave --timezone out to continue it")
            }
            return (asked, false)
        }
        guard let saved = SimulatedTimeZone(identifier: savedName) else {
            throw UserError("\(snapshot.path) is corrupt: timezone '\(savedName)' is not an IANA time zone")
        }
        return (saved, true)
    }

    /// `start` with its state's zone recorded (a state saved before zones were recorded gets the run's).
    private func recordingZone(_ zone: SimulatedTimeZone, in start: Checkpoint) -> Checkpoint {
        var start = start
        if start.state.timeZone == nil { start.state.timeZone = zone.identifier }
        return start
    }

    /// Kafka record timestamps cannot be before 1970-01-01T00:00:00Z: a run that publishes must start after it.
    private func checkKafkaCanHold(_ first: Day, in zone: SimulatedTimeZone) throws {
        guard request.kafka != nil, zone.utcSecond(ofLocal: first.startSecond) < 0 else { return }
        throw UserError("\(first) starts before 1970-01-01T00:00:00Z, which a Kafka timestamp cannot show: "
            + "start on a later day, or write files only with --brokers none")
    }

    /// Where a run that continues a saved state starts: the saved checkpoint itself when it records
    /// this very run unfinished; otherwise its state under the new record. An unfinished run of
    /// another command is refused, unless `-f` and its command is one of `forceDrops` (then its
    /// partial day is dropped and done again). A partial day without a record (a state saved by an
    /// older version, whose files are not measured) is dropped and done again too. `carried`: the
    /// new run took over a dropped run's delivery epoch (see `carryingDisorder`).
    private func resume(_ saved: Checkpoint, as wanted: RunRecord,
                        forceDrops: Set<RunRecord.Command>) throws -> (start: Checkpoint, continues: Bool, carried: Bool) {
        var start = Checkpoint(state: saved.state, unfinishedRun: wanted)
        guard let unfinished = saved.unfinishedRun else {
            start.state.partialDay = nil
            return (start, false, false)
        }
        guard let difference = unfinished.difference(from: wanted) else {
            try checkPartialDay(saved.state)
            // A version that did not save the zone added late deliveries' delays to wall-clock time.
            if saved.state.timeZone == nil, unfinished.disorder != nil, unfinished.timeZone != RunRequest.defaultTimeZone {
                throw UserError("\(snapshot.path) records an unfinished run with late deliveries in \(unfinished.timeZone), started by an "
                    + "earlier version whose delays ignored daylight saving: finish it with that version, or start over with -f")
            }
            return (saved, true, false)
        }
        guard request.force && forceDrops.contains(unfinished.command) else { throw mismatch(unfinished, difference, forceDrops: forceDrops) }
        start.state.partialDay = nil
        let carried = carryingDisorder(of: unfinished, redoing: saved.state.partialDay?.date, into: &start.unfinishedRun!)
        return (start, false, carried)
    }

    /// A run that `-f` puts in place of a dropped one with the same disorder settings (so the same
    /// `replay_run` id) goes on in the dropped run's delivery order (its epoch's first day, with its
    /// own last day) and with its deliveries still pending from the days before `redone` (the
    /// partial day, done again): the topics' newest records then still tell the new run what is
    /// there, and no delivery the dropped run logged is lost. (If the dropped run had already made
    /// deliveries past its last day, the read-back refuses the new run.) True when it does.
    private func carryingDisorder(of dropped: RunRecord, redoing redone: Day?, into record: inout RunRecord) -> Bool {
        guard let old = dropped.disorder, let new = record.disorder, old.settings == new.settings else { return false }
        record.disorder?.epoch = DeliveryEpoch(first: old.epoch.first, last: new.epoch.last)
        record.disorder?.pending = old.pending.filter { delivery in redone.map { delivery.mark.day < $0 } ?? true }
        return true
    }

    /// A partial day must be the day after the last complete one, with counts that are not negative.
    private func checkPartialDay(_ state: SimulationState) throws {
        guard let partial = state.partialDay else { return }
        let expected = state.nextDay ?? partial.date
        guard partial.date == expected, partial.merchantEvents >= 0, partial.transactions >= 0 else {
            throw UserError("\(snapshot.path) is corrupt: partial_day \(partial.date) does not follow last_generated_date "
                + "or has negative counts; \(Self.startOver(request.mode))")
        }
    }

    /// How to start over after a corrupt state, for the command at hand.
    static func startOver(_ mode: RunRequest.Mode) -> String {
        if case .initial = mode { return "pass -f to start the history over" }
        return "restore it from a backup, or start a new history with --initial … -f"
    }

    /// Seed and scale, when the command gives them, must be the saved simulation's.
    private func checkSameSimulation(_ state: SimulationState, seed: UInt64?, scale: Double?) throws {
        if let seed, seed != state.seed {
            throw UserError("--seed \(seed) differs from the seed \(state.seed) in \(snapshot.path); a run continues the saved simulation")
        }
        if let scale, scale != state.scale {
            throw UserError("--scale \(scale) differs from the scale \(state.scale) in \(snapshot.path); a run continues the saved simulation")
        }
    }

    /// `--lifecycle` on a simulation saved without it is refused: the follow-ups of its earlier
    /// payments would be missing. An incremental run or a live feed without the flag continues the
    /// saved simulation as it is; an initial run (`starting`) describes its whole simulation, so
    /// it must say the same as the one it continues (or `-f` starts over). The same goes for the
    /// lifecycle's rates (`--scenario`), which only a simulation with the lifecycle has.
    private func checkSameLifecycle(_ state: SimulationState, starting: Bool) throws {
        if request.lifecycle && !state.lifecycle {
            let remedy = starting ? "pass -f to start it over with the lifecycle" : "start a new history with --initial … --lifecycle -f"
            throw UserError("--lifecycle: the simulation in \(snapshot.path) was started without the payment lifecycle; \(remedy)")
        }
        if starting && state.lifecycle && !request.lifecycle {
            throw UserError("the simulation in \(snapshot.path) was started with --lifecycle: pass --lifecycle to continue it, or -f to start over without it")
        }
        if request.scenario != nil && !state.lifecycle {
            throw UserError("--scenario sets the rates of the payment lifecycle, which the simulation in \(snapshot.path) does not have")
        }
        if let asked = request.scenario, asked != state.scenario {
            throw UserError("--scenario: its rates differ from those the simulation in \(snapshot.path) was started with; "
                + (starting ? "pass -f to start it over with them" : "leave --scenario out to continue it"))
        }
        if starting && request.scenario == nil && state.scenario != .standard {
            throw UserError("the simulation in \(snapshot.path) was started with a --scenario: pass the same to continue it, or -f to start over")
        }
    }

    /// The files of `period` of the simulation `state`'s streams, in their order (merchants first).
    private func streamFiles(_ period: Period, of state: SimulationState) -> [String] {
        EventStreams.of(state).map { period.fileName($0.batchFile.stem) }
    }

    /// The files a run of the simulation `state` writes for `period`: a file per stream, and the disorder log when asked.
    private func periodFiles(_ period: Period, of state: SimulationState) -> [String] {
        streamFiles(period, of: state) + (request.writesDisorderLog ? [period.fileName("disorder")] : [])
    }

    /// The period's files can be written: nothing that is not a regular file stands at their paths.
    private func checkWritable(_ period: Period, of state: SimulationState) throws {
        for name in periodFiles(period, of: state) {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isFolder), isFolder.boolValue {
                throw UserError("\(folder)/\(name) is a folder: the run cannot write its file there")
            }
        }
    }

    /// An unfinished run that this command cannot continue; the remedy says what `-f` would do here.
    private func mismatch(_ unfinished: RunRecord, _ difference: String, forceDrops: Set<RunRecord.Command>) -> UserError {
        let remedy: String
        if forceDrops.contains(unfinished.command) {
            remedy = "run that command again to finish it, or pass -f to drop its unfinished day"
        } else if case .initial = request.mode {
            remedy = "run that command again to finish it, or pass -f to start over"
        } else {
            remedy = "run that command again to finish it (only --initial … -f starts an unfinished history over)"
        }
        return UserError("\(snapshot.path) records an unfinished run (\(unfinished.commandLine)) and this command has \(difference): \(remedy)")
    }

    private static func yesterdayUTC() -> Day {
        Day(ordinal: Int((Date().timeIntervalSince1970 / 86_400).rounded(.down)) - 1)
    }
}
