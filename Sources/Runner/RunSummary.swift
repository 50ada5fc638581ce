import Checkpoints
import Engine
import Records
import SimulatedClock
import Simulation

/// What a session did, for its caller to report: how it ended and the run's figures.
public struct RunSummary: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// Every day of the plan is out (a live feed never completes: it stops).
        case completed
        /// Stopped on request at a slice boundary; running the same request again continues it.
        case stopped
        /// Stopped on request while it started (connecting, reading topics back): nothing was written.
        case stoppedBeforeStart
        /// The run this request describes was already complete: nothing to do.
        case alreadyComplete
    }

    public var outcome: Outcome
    /// True for a history (initial or incremental), false for a live feed.
    public var isHistory: Bool
    /// Days completed by this session.
    public var days = 0
    /// What the summary calls the events of each of the run's streams, in their order.
    public var eventNouns = EventStreams.standard.map(\.eventsNoun)
    /// Events handed to the sinks per stream of the run, in their order.
    public var emitted = [Int](repeating: 0, count: EventStreams.standard.count)
    public var firstDay: Day?
    public var lastDay: Day?
    /// Wall seconds from the run's start to its end.
    public var seconds = 0.0
    /// Transaction rows this process wrote to its files (a shard writes only its own).
    public var writtenTransactions = 0
    /// Late and duplicate deliveries made, and those still pending; nil without disorder.
    public var disorder: DisorderFigures?

    /// Late and duplicate deliveries of a run.
    public struct DisorderFigures: Sendable, Equatable {
        public var late: Int
        public var duplicates: Int
        /// Deliveries kept in `merchants.json` for the next run.
        public var pending: Int
    }

    /// The transactions' rate over the run.
    public var transactionsPerSecond: Int { Int(Double(emitted[EventStreams.deliveredIndex]) / max(seconds, 1e-9)) }

    /// `generated 2024-01-01..2024-01-02: 2 days complete, 1006 merchant events, 16209 transactions in 0.11 s (147354 tx/s)`.
    public var line: String {
        let span = firstDay.map { first in "\(first)..\(lastDay ?? first)" } ?? "nothing"
        let counts = zip(eventNouns, emitted).map { "\($1) \($0)" }.joined(separator: ", ")
        return "\(outcome == .completed ? "generated" : "stopped in") \(span): \(days) days complete, \(counts) in \(max(seconds, 1e-9).twoDecimals) s "
            + "(\(transactionsPerSecond) tx/s)"
    }
}

/// Counts what a run emits, for its summary.
final class RunTotals: RunObserver {
    private let clock = MonotonicClock()
    private let startedAt: Double
    private(set) var summary: RunSummary

    init(isHistory: Bool, streams: [any EventStream]) {
        startedAt = clock.now()
        summary = RunSummary(outcome: .stopped, isHistory: isHistory)
        summary.eventNouns = streams.map(\.eventsNoun)
        summary.emitted = Array(repeating: 0, count: streams.count)
    }

    func dayStarted(_ events: DayEvents) {
        if summary.firstDay == nil { summary.firstDay = events.day }
    }

    func emitted(_ slice: EventSlice, simulatedSecond: Int64) {
        for (index, range) in slice.ranges.enumerated() { summary.emitted[index] += range.count }
    }

    func dayCompleted(_ totals: DayTotals, state: SimulationState) {
        summary.days += 1
        summary.lastDay = totals.day
    }

    /// The summary as the run ends with `outcome`.
    func ended(_ outcome: RunSummary.Outcome) -> RunSummary {
        summary.outcome = outcome
        summary.seconds = clock.now() - startedAt
        return summary
    }
}

extension Double {
    /// The value with two decimals (`3.14`), as the summary and the progress line write seconds and mebibytes.
    public var twoDecimals: String {
        let hundredths = Int((self * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
