import SimulatedClock
import Engine
import Foundation
import Simulation
import Checkpoints
import Records
import BatchFiles

/// Records every event a run hands it, as (day, stream, index), and what it had when it was last
/// made durable. Can be told to fail its n-th `makeDurable`, like a broker that stops answering.
final class RecordingSink: EventSink {
    struct Event: Hashable, Comparable {
        let day: Int
        let stream: Int
        let index: Int
        static func < (a: Event, b: Event) -> Bool { (a.day, a.stream, a.index) < (b.day, b.stream, b.index) }
    }

    private(set) var events: [Event] = []
    private(set) var durableCount = 0
    private(set) var closed: Bool?
    var failOnDurable: Int?
    private(set) var durableCalls = 0
    /// Called after each slice (tests move an injected clock with it).
    var afterWrite: () -> Void = {}

    /// With disorder, the transaction deliveries' marks, in the order handed over.
    private(set) var deliveries: [DeliveryMark] = []
    private(set) var durableDeliveryCount = 0

    func write(_ slice: EventSlice) throws {
        let day = slice.events.day.ordinal
        for (stream, range) in slice.dayRanges.enumerated() {
            if stream == EventStreams.deliveredIndex, let delivered = slice.deliveries {
                deliveries += delivered.map(\.mark)
            } else {
                events += range.map { Event(day: day, stream: stream, index: $0) }
            }
        }
        afterWrite()
    }

    func makeDurable() throws {
        durableCalls += 1
        if durableCalls == failOnDurable { throw SinkError("the recording sink fails as told") }
        durableCount = events.count
        durableDeliveryCount = deliveries.count
    }

    func close(completed: Bool) throws { closed = completed }
}

/// A wall clock that moves only when told.
final class ManualClock: WallClock {
    private(set) var time = 1_000.0
    func now() -> Double { time }
    func sleep(until instant: Double) { time = max(time, instant) }
    func advance(_ seconds: Double) { time += seconds }
}

/// A fresh folder, removed when the value goes away.
final class ScratchFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("engine-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func read(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path + "/" + name)) }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path + "/" + name) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Builds runs of the engine over real files in a folder, as the CLI wires them.
struct EngineHarness {
    let folder: ScratchFolder
    let period = Period(start: Day(iso: "2024-03-01")!, end: Day(iso: "2024-03-03")!)
    /// Late and duplicate delivery, with the disorder log; nil for in-order delivery.
    var disorder: DisorderSettings?
    /// How a day is cut into parts.
    var limits = DayPartLimits.standard

    /// Days of a few parts each, drawn on two threads, with most of their transactions in the
    /// scratch file: the same events must come out as when a day is one part.
    static let smallParts = DayPartLimits(memoryBudget: 64 << 10, partSize: 1_500, parallelDrawFrom: 0)

    var snapshot: StateSnapshot { StateSnapshot(folder: folder.path) }

    var record: RunRecord {
        RunRecord(command: .initial, startDate: period.start, endDate: period.end, timeZone: "UTC", kafka: nil,
                  disorder: disorder.map { DisorderRecord(settings: $0, writesLog: true, epoch: DeliveryEpoch(first: period.start, last: period.end)) })
    }

    /// A new run from `start` (a fresh initial run when nil).
    func makeRun(from start: Checkpoint? = nil, publishers: [EventSink], stopWhen shouldStop: @escaping () -> Bool = { false },
                 policy: CheckpointPolicy = CheckpointPolicy()) -> ReplayRun {
        let folder = folder.path
        let log = disorder.map { DeliveryPlan(settings: $0, seed: 7, zone: .utc) }
        let start = start ?? Checkpoint(state: SimulationState(seed: 7), unfinishedRun: record)
        let streams = EventStreams.of(start.state)
        return ReplayRun(
            start: start, zone: .utc, publishers: publishers, snapshot: snapshot,
            scratchFolder: folder,
            openFiles: { period, lengths in try CSVFileSink(folder: folder, period: period, resumingFrom: lengths, streams: streams, disorderLog: log) },
            shouldStop: shouldStop, observers: [], policy: policy, limits: limits)
    }

    /// A new run whose stream fails its `attempt`-th `makeDurable` (nil: never), on a clock that
    /// makes a checkpoint due every other slice; begun.
    func runFailing(at attempt: Int?) throws -> (ReplayRun, RecordingSink) {
        let failing = RecordingSink(), clock = ManualClock()
        failing.failOnDurable = attempt
        failing.afterWrite = { clock.advance(0.6) }
        let run = makeRun(publishers: [failing], policy: CheckpointPolicy(interval: 1, clock: clock))
        try run.begin()
        return (run, failing)
    }

    /// Runs the whole period from `start` at max pace.
    @discardableResult
    func run(_ run: ReplayRun) throws -> ReplayRun.Outcome {
        try run.run([period], pacer: Pacer(pace: .max), finishing: true)
    }

    /// Every event of the period, in emission order.
    func allEvents() -> [RecordingSink.Event] {
        var simulator = Simulator(state: SimulationState(seed: 7))
        return period.days.flatMap { day in
            let events = simulator.simulate(day)
            return events.merchantEvents.indices.map { RecordingSink.Event(day: day.ordinal, stream: 0, index: $0) }
                + events.transactions.indices.map { RecordingSink.Event(day: day.ordinal, stream: 1, index: $0) }
        }
    }

    /// The events a checkpoint covers, in emission order.
    func events(coveredBy state: SimulationState) -> [RecordingSink.Event] {
        allEvents().filter { event in
            if let last = state.lastGeneratedDate, event.day <= last.ordinal { return true }
            guard let partial = state.partialDay, partial.date.ordinal == event.day else { return false }
            return event.index < (event.stream == 0 ? partial.merchantEvents : partial.transactions)
        }
    }
}
