import SimulatedClock
import Engine
import Foundation
import Simulation
import Checkpoints
import Records
import BatchFiles
import Testing

/// What a command comes to, given what the output folder holds.
@Suite struct RunPlannerTests {
    let utc = SimulatedTimeZone(identifier: "UTC")!
    let kafka = RunRecord.KafkaTarget(brokers: "127.0.0.1:9092", topics: ["payments.merchants", "payments.transactions"])

    func initial(_ harness: EngineHarness, seed: UInt64? = 7, force: Bool = false, kafka: RunRecord.KafkaTarget? = nil) -> RunPlanner {
        RunPlanner(request: RunRequest(mode: .initial(harness.period), seed: seed, scale: 1, timeZone: utc, pace: nil,
                                       force: force, kafka: kafka), folder: harness.folder.path)
    }

    func plan(_ planner: RunPlanner) throws -> RunPlan {
        guard case let .run(plan) = try planner.plan() else { throw PlanFailed() }
        return plan
    }

    struct PlanFailed: Error {}

    /// A folder whose initial run stopped after one slice of its first day.
    func stoppedRun(kafka: RunRecord.KafkaTarget? = nil) throws -> EngineHarness {
        let harness = EngineHarness(folder: try ScratchFolder())
        let start = try plan(initial(harness, kafka: kafka)).start
        var slices = 0
        let sink = RecordingSink()
        sink.afterWrite = { slices += 1 }
        let run = harness.makeRun(from: start, publishers: [sink], stopWhen: { slices >= 1 })
        try run.begin()
        #expect(try harness.run(run) == .stopped)
        return harness
    }

    @Test func theSameCommandContinuesAnUnfinishedRun() throws {
        let harness = try stoppedRun(kafka: kafka)
        let plan = try plan(initial(harness, kafka: kafka))
        #expect(plan.continues)
        #expect(plan.start == (try harness.snapshot.load()))
        #expect(plan.start.state.partialDay?.date == harness.period.start)
    }

    @Test(arguments: [
        (RunRecord.KafkaTarget?.none, "--brokers none instead of 127.0.0.1:9092"),
        (RunRecord.KafkaTarget(brokers: "other:9092", topics: ["payments.merchants", "payments.transactions"]), "--brokers other:9092"),
        (RunRecord.KafkaTarget(brokers: "127.0.0.1:9092", topics: ["m", "t"]), "topics m, t"),
        (RunRecord.KafkaTarget(brokers: "127.0.0.1:9092", topics: ["payments.merchants", "payments.transactions"], valueFormat: "avro"),
         "--format avro instead of json"),
    ])
    func aDifferentCommandIsRefusedWithOneLine(target: RunRecord.KafkaTarget?, phrase: String) throws {
        let harness = try stoppedRun(kafka: kafka)
        let before = try harness.folder.read(StateSnapshot.fileName)
        let error = #expect(throws: UserError.self) { try initial(harness, kafka: target).plan() }
        #expect(error?.description.contains(phrase) == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("records an unfinished run (--initial --start-date 2024-03-01 --end-date 2024-03-03)") == true)
        #expect(error?.description.contains("\n") == false)
        #expect(try harness.folder.read(StateSnapshot.fileName) == before)
    }

    /// The value format survives merchants.json: an Avro run is continued in Avro only.
    @Test func anAvroRunIsContinuedInAvroOnly() throws {
        let avro = RunRecord.KafkaTarget(brokers: kafka.brokers, topics: kafka.topics, valueFormat: "avro")
        let harness = try stoppedRun(kafka: avro)
        let error = #expect(throws: UserError.self) { try initial(harness, kafka: kafka).plan() }
        #expect(error?.description.contains("--format json instead of avro") == true, "\(error?.description ?? "")")
        guard case let .run(plan) = try initial(harness, kafka: avro).plan() else { Issue.record("not continued"); return }
        #expect(plan.continues && plan.start.unfinishedRun?.kafka?.valueFormat == "avro")
    }

    @Test func anotherSeedIsRefusedAndForceStartsOver() throws {
        let harness = try stoppedRun()
        let error = #expect(throws: UserError.self) { try initial(harness, seed: 8).plan() }
        #expect(error?.description.contains("--seed 8 differs from the seed 7") == true)
        let over = try plan(initial(harness, seed: 8, force: true))
        #expect(!over.continues)
        #expect(over.start.state == SimulationState(seed: 8, timeZone: "UTC"))
    }

    @Test func aCompletedRunSaysSoAndAnotherPeriodNeedsForce() throws {
        let harness = EngineHarness(folder: try ScratchFolder())
        let run = harness.makeRun(from: try plan(initial(harness)).start, publishers: [])
        try run.begin()
        try harness.run(run)
        guard case let .alreadyComplete(message) = try initial(harness).plan() else {
            Issue.record("a completed run is planned again")
            return
        }
        #expect(message.contains("already complete"))
        let longer = RunPlanner(
            request: RunRequest(mode: .initial(Period(start: harness.period.start, end: Day(iso: "2024-03-09")!)), seed: 7, scale: 1,
                                timeZone: utc, pace: nil, force: false, kafka: nil),
            folder: harness.folder.path)
        #expect(throws: UserError.self) { try longer.plan() }
    }

    @Test func anIncrementalCommandWhileAnInitialRunIsUnfinishedIsRefused() throws {
        let harness = try stoppedRun()
        let next = RunPlanner(request: RunRequest(mode: .incremental(Day(iso: "2024-03-04")), seed: nil, scale: 1, timeZone: utc,
                                                  pace: nil, force: false, kafka: nil), folder: harness.folder.path)
        let error = #expect(throws: UserError.self) { try next.plan() }
        #expect(error?.description.contains("--incremental --date 2024-03-04 instead of --initial") == true, "\(error?.description ?? "")")
    }

    @Test func aLiveFeedStoppedOnItsFirstDayContinuesFromThatDay() throws {
        let harness = EngineHarness(folder: try ScratchFolder())
        let day = Day(iso: "2024-03-01")!
        let noon = { Double(day.startSecond + 12 * 3600) }
        let live = RunPlanner(request: RunRequest(mode: .realtime, seed: 7, scale: 1, timeZone: utc, pace: nil, force: false, kafka: nil),
                              folder: harness.folder.path, localNow: noon)
        let first = try plan(live)
        #expect(first.catchUp.isEmpty && first.firstDay == day)
        var stopped = false
        let sink = RecordingSink()
        sink.afterWrite = { stopped = true }
        let run = ReplayRun(start: first.start, zone: .utc, publishers: [sink], snapshot: harness.snapshot, scratchFolder: harness.folder.path,
                            openFiles: { period, lengths in try CSVFileSink(folder: harness.folder.path, period: period, resumingFrom: lengths, streams: EventStreams.standard) },
                            shouldStop: { stopped }, observers: [])
        try run.begin()
        #expect(try run.run(first.periods, pacer: Pacer(pace: .factor(86_400), clock: ManualClock()), finishing: false) == .stopped)
        let again = try plan(live)
        #expect(again.continues)
        #expect(again.start.state.partialDay?.date == day)
        #expect(again.periods.first { _ in true } == Period(day: day))
    }

    func incremental(_ harness: EngineHarness, _ day: String?, force: Bool = true) -> RunPlanner {
        RunPlanner(request: RunRequest(mode: .incremental(day.flatMap(Day.init(iso:))), seed: nil, scale: nil, timeZone: utc,
                                       pace: nil, force: force, kafka: nil), folder: harness.folder.path)
    }

    /// A folder holding the completed period and an incremental day that stopped after one slice.
    func stoppedIncrementalDay() throws -> EngineHarness {
        let harness = EngineHarness(folder: try ScratchFolder())
        let run = harness.makeRun(from: try plan(initial(harness)).start, publishers: [])
        try run.begin()
        try harness.run(run)
        let day = try plan(incremental(harness, "2024-03-04"))
        var slices = 0
        let sink = RecordingSink()
        sink.afterWrite = { slices += 1 }
        let stopped = harness.makeRun(from: day.start, publishers: [sink], stopWhen: { slices >= 1 })
        try stopped.begin()
        #expect(try stopped.run(day.periods, pacer: Pacer(pace: .max), finishing: true) == .stopped)
        return harness
    }

    @Test func anIncrementalRunWithoutADateContinuesTheUnfinishedDayEvenAfterMidnight() throws {
        let harness = try stoppedIncrementalDay()
        let again = try plan(incremental(harness, nil))
        #expect(again.continues)
        #expect(again.periods.first { _ in true } == Period(day: Day(iso: "2024-03-04")!))
    }

    @Test func incrementalForceDoesNotAbandonAnUnfinishedInitialRun() throws {
        let harness = try stoppedRun()
        let error = #expect(throws: UserError.self) { try incremental(harness, "2024-03-02").plan() }
        #expect(error?.description.contains("records an unfinished run (--initial") == true, "\(error?.description ?? "")")
    }

    @Test func aPartialDayWithoutARecordIsDoneAgainFromItsStart() throws {
        // A state saved by a version that did not record the file's length: the file cannot be trusted.
        let harness = try stoppedIncrementalDay()
        var saved = try harness.snapshot.load()
        saved.unfinishedRun = nil
        try harness.snapshot.save(saved)
        let again = try plan(incremental(harness, "2024-03-04"))
        #expect(!again.continues)
        #expect(again.start.state.partialDay == nil)
    }

    @Test func aCorruptPartialDayIsRefused() throws {
        let harness = try stoppedIncrementalDay()
        var saved = try harness.snapshot.load()
        saved.state.partialDay?.transactions = -5
        try harness.snapshot.save(saved)
        let error = #expect(throws: SinkError.self) { try incremental(harness, "2024-03-04").plan() }
        #expect(error?.description.contains("corrupt") == true)
    }

    @Test func aLiveFeedKilledBeforeItsFirstCheckpointKeepsItsFirstDayAfterMidnight() throws {
        let harness = EngineHarness(folder: try ScratchFolder())
        let day = Day(iso: "2024-03-01")!
        func live(at second: Int64) -> RunPlanner {
            RunPlanner(request: RunRequest(mode: .realtime, seed: 7, scale: 1, timeZone: utc, pace: nil, force: false, kafka: nil),
                       folder: harness.folder.path, localNow: { Double(second) })
        }
        let first = try plan(live(at: day.startSecond + 23 * 3600))
        let run = harness.makeRun(from: first.start, publishers: [])
        try run.begin()   // killed right after
        let after = try plan(live(at: day.startSecond + 25 * 3600))
        #expect(after.continues)
        #expect(after.firstDay == day)
        #expect(after.catchUp == [Period(day: day)])
    }

    @Test func eachRunWithDisorderHasItsEpochAndForceCarriesADroppedRunsPendingDeliveries() throws {
        let settings = DisorderSettings(lateFraction: 0.2, maxLatenessSeconds: 86_400, duplicateFraction: 0.05)
        let harness = EngineHarness(folder: try ScratchFolder())
        func request(_ mode: RunRequest.Mode, _ disorder: DisorderSettings, force: Bool = false) -> RunRequest {
            RunRequest(mode: mode, seed: 7, scale: 1, timeZone: utc, pace: nil, force: force, kafka: nil, disorder: disorder, writesDisorderLog: true)
        }
        let history = try plan(RunPlanner(request: request(.initial(harness.period), settings), folder: harness.folder.path))
        #expect(history.start.unfinishedRun?.disorder?.epoch == DeliveryEpoch(first: harness.period.start, last: harness.period.end))
        let run = harness.makeRun(from: history.start, publishers: [RecordingSink()])
        try run.begin()
        #expect(try harness.run(run) == .completed)

        // A live feed at noon on 03-05: 03-04 caught up, then stopped after a slice of 03-05 with 03-04's late deliveries pending.
        let noon = { Double(Day(iso: "2024-03-05")!.startSecond + 12 * 3600) }
        let live = try plan(RunPlanner(request: request(.realtime, settings), folder: harness.folder.path, localNow: noon))
        #expect(live.start.unfinishedRun?.disorder?.epoch == DeliveryEpoch(first: Day(iso: "2024-03-04")!, last: nil))
        var slices = 0
        let sink = RecordingSink()
        sink.afterWrite = { slices += 1 }
        let feed = ReplayRun(start: live.start, zone: .utc, publishers: [sink], snapshot: harness.snapshot, scratchFolder: harness.folder.path,
                             openFiles: { period, lengths in try CSVFileSink(folder: harness.folder.path, period: period, resumingFrom: lengths, streams: EventStreams.standard) },
                             shouldStop: { sink.events.contains { $0.day == Day(iso: "2024-03-05")!.ordinal } }, observers: [])
        try feed.begin()
        #expect(try feed.run(live.catchUp, pacer: Pacer(pace: .max), finishing: false) == .completed)
        #expect(try feed.run(live.periods, pacer: Pacer(pace: .factor(86_400), clock: ManualClock()), finishing: false) == .stopped)
        let stopped = try harness.snapshot.load()
        let pending = try #require(stopped.unfinishedRun?.disorder?.pending)
        #expect(stopped.state.partialDay?.date == Day(iso: "2024-03-05") && pending.contains { $0.mark.day == Day(iso: "2024-03-04") })

        // -f with the same settings (the same replay_run id) goes on in the feed's order (its first day, with its
        // own last day) with 03-04's pending deliveries.
        let day = Day(iso: "2024-03-05")!
        let carried = try plan(RunPlanner(request: request(.incremental(day), settings, force: true), folder: harness.folder.path))
        #expect(carried.start.unfinishedRun?.disorder?.epoch == DeliveryEpoch(first: Day(iso: "2024-03-04")!, last: day))
        #expect(carried.start.unfinishedRun?.disorder?.pending == pending.filter { $0.mark.day < day })
        // With other settings it is another run: its own epoch, nothing pending.
        var other = settings
        other.duplicateFraction = 0
        let fresh = try plan(RunPlanner(request: request(.incremental(day), other, force: true), folder: harness.folder.path))
        #expect(fresh.start.unfinishedRun?.disorder?.epoch == DeliveryEpoch(first: day, last: day))
        #expect(fresh.start.unfinishedRun?.disorder?.pending.isEmpty == true)
    }

    /// The zone is part of the saved simulation: a later run without `--timezone` continues in it
    /// and says so, one with another zone is refused like another seed, and a new simulation
    /// without one is in UTC.
    @Test func theTimeZoneIsSavedInheritedAndAnotherOneIsRefused() throws {
        let harness = EngineHarness(folder: try ScratchFolder())
        let newYork = SimulatedTimeZone(identifier: "America/New_York")!
        let history = try plan(RunPlanner(request: RunRequest(mode: .initial(harness.period), seed: 7, scale: 1, timeZone: newYork, pace: nil,
                                                              force: false, kafka: nil), folder: harness.folder.path))
        #expect(history.timeZone.identifier == "America/New_York" && !history.timeZoneIsSaved)
        let run = harness.makeRun(from: history.start, publishers: [])
        try run.begin()
        try harness.run(run)
        #expect(try harness.snapshot.load().state.timeZone == "America/New_York")

        func next(_ zone: SimulatedTimeZone?) -> RunPlanner {
            RunPlanner(request: RunRequest(mode: .incremental(Day(iso: "2024-03-04")), seed: nil, scale: nil, timeZone: zone, pace: nil,
                                           force: true, kafka: nil), folder: harness.folder.path)
        }
        let inherited = try plan(next(nil))
        #expect(inherited.timeZone.identifier == "America/New_York" && inherited.timeZoneIsSaved)
        #expect(inherited.start.unfinishedRun?.timeZone == "America/New_York")
        let error = #expect(throws: UserError.self) { try next(utc).plan() }
        #expect(error?.description.contains("--timezone UTC differs from the time zone America/New_York") == true, "\(error?.description ?? "")")
        #expect(try plan(next(newYork)).timeZone.identifier == "America/New_York")

        // A state saved before zones were recorded takes the command's, and records it.
        var old = try harness.snapshot.load()
        old.state.timeZone = nil
        try harness.snapshot.save(old)
        let adopted = try plan(next(newYork))
        #expect(adopted.start.state.timeZone == "America/New_York" && !adopted.timeZoneIsSaved)
    }

    /// `--lifecycle` is chosen when a simulation starts, recorded in its state (with a topic per
    /// stream in the run's record), kept by an incremental run without the flag, and refused on a
    /// simulation started without it; an initial run must say what its simulation has.
    @Test func theLifecycleIsChosenAtTheStartAndKeptByLaterRuns() throws {
        let harness = EngineHarness(folder: try ScratchFolder())
        let topics = RunRecord.KafkaTarget(brokers: "127.0.0.1:9092", topics: EventStreams.defaultTopics)
        func initial(lifecycle: Bool, force: Bool = false, kafka: RunRecord.KafkaTarget? = nil) -> RunPlanner {
            RunPlanner(request: RunRequest(mode: .initial(harness.period), seed: 7, scale: 1, timeZone: utc, pace: nil, force: force,
                                           kafka: kafka, lifecycle: lifecycle), folder: harness.folder.path)
        }
        func incremental(lifecycle: Bool) -> RunPlanner {
            RunPlanner(request: RunRequest(mode: .incremental(harness.period.end.adding(days: 1)), seed: nil, scale: nil, timeZone: nil,
                                           pace: nil, force: true, kafka: nil, lifecycle: lifecycle), folder: harness.folder.path)
        }
        let started = try plan(initial(lifecycle: true, kafka: topics)).start
        #expect(started.state.lifecycle && started.unfinishedRun?.kafka?.topics == EventStreams.defaultTopics)
        #expect(try plan(initial(lifecycle: false, kafka: topics)).start.unfinishedRun?.kafka?.topics
                == ["payments.merchants", "payments.transactions"])

        // A completed history with the lifecycle, as a run leaves it.
        var simulator = Simulator(state: SimulationState(seed: 7, timeZone: "UTC", lifecycle: true))
        for day in harness.period.days { _ = simulator.simulate(day) }
        try harness.snapshot.save(Checkpoint(state: simulator.state, unfinishedRun: nil))
        #expect(try plan(incremental(lifecycle: false)).start.state.lifecycle)
        #expect(try plan(incremental(lifecycle: true)).start.state.lifecycle)
        // Without the flag an initial run describes another simulation: its files are in the way, not "already complete".
        #expect(throws: UserError.self) { try initial(lifecycle: false).plan() }

        // Started without it, the simulation cannot take it on.
        var plain = simulator.state
        plain.lifecycle = false
        try harness.snapshot.save(Checkpoint(state: plain, unfinishedRun: nil))
        let refused = #expect(throws: UserError.self) { try incremental(lifecycle: true).plan() }
        #expect(refused?.description.hasPrefix("--lifecycle: the simulation in") == true, "\(refused?.description ?? "")")
        #expect(try plan(incremental(lifecycle: false)).start.state.lifecycle == false)
        #expect(try plan(initial(lifecycle: true, force: true)).start.state.lifecycle)
    }

    /// `--scenario` sets a new lifecycle simulation's rates, which its state keeps; a later run
    /// continues with them, or names the same; other rates, or rates without the lifecycle, are refused.
    @Test func aScenarioIsSavedWithTheSimulationAndOthersAreRefused() throws {
        let harness = EngineHarness(folder: try ScratchFolder())
        let halves = try LifecycleScenario(declineShares: [("05", 0.5), ("51", 0.5)])
        let other = try LifecycleScenario(declineShares: [("05", 1)])
        func request(_ mode: RunRequest.Mode, lifecycle: Bool, scenario: LifecycleScenario?) -> RunPlanner {
            RunPlanner(request: RunRequest(mode: mode, seed: nil, scale: nil, timeZone: utc, pace: nil, force: true, kafka: nil,
                                           lifecycle: lifecycle, scenario: scenario), folder: harness.folder.path)
        }
        let next = RunRequest.Mode.incremental(harness.period.end.adding(days: 1))
        let refusedWithoutLifecycle = #expect(throws: UserError.self) { try request(.initial(harness.period), lifecycle: false, scenario: halves).plan() }
        #expect(refusedWithoutLifecycle?.description.contains("pass --lifecycle too") == true)
        #expect(try plan(request(.initial(harness.period), lifecycle: true, scenario: halves)).start.state.scenario == halves)

        var simulator = Simulator(state: SimulationState(seed: 42, timeZone: "UTC", lifecycle: true, scenario: halves))
        for day in harness.period.days { _ = simulator.simulate(day) }
        try harness.snapshot.save(Checkpoint(state: simulator.state, unfinishedRun: nil))
        #expect(try plan(request(next, lifecycle: false, scenario: nil)).start.state.scenario == halves)
        #expect(try plan(request(next, lifecycle: false, scenario: halves)).start.state.scenario == halves)
        let refusedOther = #expect(throws: UserError.self) { try request(next, lifecycle: false, scenario: other).plan() }
        #expect(refusedOther?.description.contains("leave --scenario out to continue it") == true, "\(refusedOther?.description ?? "")")
    }

    /// An unfinished run with late deliveries in a zone with daylight saving, saved by a version
    /// whose delays were wall-clock time, is not continued with delays of another kind.
    @Test func anUnfinishedRunWithDelaysOfAnEarlierKindIsNotContinued() throws {
        var harness = EngineHarness(folder: try ScratchFolder())
        harness.disorder = DisorderSettings(lateFraction: 0.2, maxLatenessSeconds: 3_600)
        let newYork = SimulatedTimeZone(identifier: "America/New_York")!
        func request() -> RunRequest {
            RunRequest(mode: .initial(harness.period), seed: 7, scale: 1, timeZone: newYork, pace: nil, force: false, kafka: nil,
                       disorder: harness.disorder, writesDisorderLog: true)
        }
        let start = try plan(RunPlanner(request: request(), folder: harness.folder.path)).start
        try harness.snapshot.save(start)
        #expect(try plan(RunPlanner(request: request(), folder: harness.folder.path)).continues)
        var old = try harness.snapshot.load()
        old.state.timeZone = nil
        try harness.snapshot.save(old)
        let error = #expect(throws: UserError.self) { try RunPlanner(request: request(), folder: harness.folder.path).plan() }
        #expect(error?.description.contains("started by an earlier version whose delays ignored daylight saving") == true, "\(error?.description ?? "")")
    }
}
