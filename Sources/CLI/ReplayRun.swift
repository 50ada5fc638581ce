import Clock
import Logging
import Simulation
import Sinks

/// Drives a run: simulates each day, hands its events to every sink as they fall due on the
/// pacer's clock, and checkpoints every sink in order (Kafka, files, state snapshot) at each day's
/// end. A stop request ends the run at the next slice with a checkpoint of the day's progress, which
/// a later run resumes from, skipping exactly what was delivered.
final class ReplayRun {
    enum Outcome { case completed, stopped }

    /// The state after the last day handed to the sinks.
    private var state: SimulationState
    /// Sinks that live for the whole run (Kafka), before the files.
    private let streams: [EventSink]
    private let snapshot: StateSnapshot
    /// Opens a period's file sink; the state is the one the period starts from.
    private let makeFiles: (Period, SimulationState) throws -> EventSink
    private let shouldStop: () -> Bool
    private let progress: Progress
    /// The state of the last checkpoint: what merchants.json now says.
    private(set) var checkpointed: SimulationState
    /// (simulated second, seconds late, events) of every slice, when `recordsLag` is set (benchmark).
    private(set) var lags: [(simulatedSecond: Int64, lag: Double, events: Int)] = []
    var recordsLag = false

    /// At max pace, the most events handed over at once, so that a stop request is seen promptly.
    static let maxSlice = 8_192
    /// At max pace, a day's end is checkpointed only when the last checkpoint is older than this
    /// (or ten times what the last one took): waiting for Kafka and rewriting merchants.json after
    /// every one of thousands of replayed days would cost more than the days themselves.
    static let checkpointInterval = 1.0
    private let clock = MonotonicClock()
    private var lastCheckpointAt = -Double.infinity
    private var lastCheckpointCost = 0.0

    init(state: SimulationState, streams: [EventSink], snapshot: StateSnapshot,
         makeFiles: @escaping (Period, SimulationState) throws -> EventSink, shouldStop: @escaping () -> Bool, progress: Progress) {
        self.state = state
        self.streams = streams
        self.snapshot = snapshot
        self.makeFiles = makeFiles
        self.shouldStop = shouldStop
        self.progress = progress
        checkpointed = state
    }

    /// Runs `periods` one after another, each with its own files, paced by `pacer`. At max pace
    /// (where the periods are finite) the next day is simulated while the current one is written.
    func run<Periods: Sequence<Period>>(_ periods: Periods, pacer: Pacer) throws -> Outcome {
        let prefetched = pacer.pace == .max
        let source = prefetched
            ? DaySource(simulator: Simulator(state: state), prefetching: periods.flatMap(\.days))
            : DaySource(simulator: Simulator(state: state))
        defer { source.cancel() }
        for period in periods {
            let files = try makeFiles(period, state)
            let sinks = streams + [files, snapshot]
            do {
                for day in period.days {
                    let mustCheckpoint = day == period.end || !prefetched
                    let simulated = source.next(day)
                    if try runDay(simulated, sinks: sinks, pacer: pacer, mustCheckpoint: mustCheckpoint) == .stopped {
                        try files.close(state: state, completed: false)
                        return .stopped
                    }
                }
                try files.close(state: state, completed: true)
            } catch {
                try? files.close(state: state, completed: false)
                throw error
            }
            if shouldStop() { return .stopped }
        }
        return .completed
    }

    /// Closes the sinks that live for the whole run.
    func finish(completed: Bool) {
        for sink in streams { try? sink.close(state: state, completed: completed) }
    }

    private func runDay(_ simulated: SimulatedDay, sinks: [EventSink], pacer: Pacer, mustCheckpoint: Bool) throws -> Outcome {
        let before = simulated.before, events = simulated.events, day = events.day
        state = simulated.after
        let resumed = before.partialDay?.date == day ? before.partialDay : nil
        var position = (merchant: resumed?.merchantEvents ?? 0, transaction: resumed?.transactions ?? 0)
        progress.dayStarted(events)
        while position.merchant < events.merchantEvents.count || position.transaction < events.transactions.count {
            if shouldStop() {
                var partial = before
                partial.partialDay = PartialDay(date: day, merchantEvents: position.merchant, transactions: position.transaction)
                try checkpoint(partial, sinks)
                return .stopped
            }
            position = try emitNextSlice(of: events, from: position, to: sinks, pacer: pacer)
        }
        pacer.wait(until: Double(day.adding(days: 1).startSecond))
        let sinceLast = clock.now() - lastCheckpointAt
        if mustCheckpoint || sinceLast >= max(Self.checkpointInterval, 10 * lastCheckpointCost) {
            try checkpoint(state, sinks)
        }
        progress.dayCompleted(events, state: state)
        return .completed
    }

    private func checkpoint(_ state: SimulationState, _ sinks: [EventSink]) throws {
        let started = clock.now()
        for sink in sinks { try sink.checkpoint(state) }
        checkpointed = state
        lastCheckpointAt = clock.now()
        lastCheckpointCost = lastCheckpointAt - started
    }

    /// Waits until the next event is due, then hands over every event that is due (at most `maxSlice`).
    private func emitNextSlice(of events: DayEvents, from position: (merchant: Int, transaction: Int),
                               to sinks: [EventSink], pacer: Pacer) throws -> (merchant: Int, transaction: Int) {
        let merchants = events.merchantEvents, transactions = events.transactions
        let inMerchants = position.merchant < merchants.count
        let next = inMerchants ? merchants[position.merchant].timestamp : transactions[position.transaction].timestamp
        pacer.wait(until: Double(next))
        if shouldStop() { return position }
        let lag = recordsLag ? pacer.lag(of: Double(next)) : 0
        let due = pacer.simulatedNow()
        var end = position
        if inMerchants {
            end.merchant = Self.end(of: merchants, from: position.merchant, dueBy: due, \.timestamp)
        } else {
            end.transaction = Self.end(of: transactions, from: position.transaction, dueBy: due, \.timestamp)
        }
        let slice = EventSlice(events: events, merchantEvents: position.merchant..<end.merchant,
                               transactions: position.transaction..<end.transaction)
        if recordsLag { lags.append((next, lag, slice.count)) }
        for sink in sinks { try sink.write(slice) }
        progress.emitted(slice, simulatedSecond: next)
        return end
    }

    /// The index after the last element from `start` on that is due by `due`, at most `maxSlice` on.
    private static func end<Element>(of elements: [Element], from start: Int, dueBy due: Double,
                                     _ time: (Element) -> Int64) -> Int {
        let limit = min(elements.count, start + maxSlice)
        guard due.isFinite else { return limit }
        var index = start + 1
        while index < limit && Double(time(elements[index])) <= due { index += 1 }
        return index
    }
}
