import Clock
import Simulation
import Sinks

/// Drives a run: simulates each day, hands its events to every sink as they fall due on the
/// pacer's clock, and checkpoints.
///
/// The commit protocol: a checkpoint makes every stream durable (Kafka acknowledged everything),
/// then the period's files (synced), and only then commits `merchants.json`: the state that
/// covers exactly those events and the unfinished run's record with each file's byte length. A
/// period's end writes its closing files before the checkpoint that completes it; the run's last
/// checkpoint drops the record. So whenever the process dies, `merchants.json` describes a point
/// that every sink has reached, and running the same command again resumes from it: the files are
/// cut back to the recorded lengths, and the Kafka sink skips what its topics already hold.
///
/// With disorder (the record's `disorder`), the streams take transactions in delivery order: a
/// late or duplicate delivery waits in the `DeliveryTimeline` until the clock reaches it, across
/// days and periods, and every checkpoint keeps what is still pending. The files take every event
/// at its event time, as without disorder. A history's last day goes on until nothing is pending.
public final class ReplayRun {
    public enum Outcome: Sendable { case completed, stopped }

    /// The state after the last day handed to the sinks.
    private var state: SimulationState
    /// The record committed with every checkpoint until the run completes.
    private var record: RunRecord
    /// Sinks that live for the whole run (Kafka), made durable before the files.
    private let streams: [EventSink]
    private let snapshot: StateSnapshot
    /// Opens a period's files, resuming them at the recorded byte lengths.
    private let openFiles: (Period, [String: Int]) throws -> PeriodFiles
    private let shouldStop: () -> Bool
    private let observers: [RunObserver]
    private var policy: CheckpointPolicy
    /// Called at each step of the commit protocol.
    public var reached: (CommitStep) -> Void = { _ in }
    /// What `merchants.json` holds now.
    public private(set) var committed: Checkpoint
    /// Late and duplicate deliveries waiting for their time; nil without disorder or without a stream (files only).
    private let timeline: DeliveryTimeline?

    /// At max pace, the most events handed over at once, so that a stop request is seen promptly.
    public static let maxSlice = 8_192

    /// `start` is where the run begins: its state and the record of the run (which must be set);
    /// `zone` the rules of its clock's time zone (late deliveries land at elapsed time).
    public init(start: Checkpoint, zone: any WallClockZone, streams: [EventSink], snapshot: StateSnapshot,
                openFiles: @escaping (Period, [String: Int]) throws -> PeriodFiles,
                shouldStop: @escaping () -> Bool, observers: [RunObserver], policy: CheckpointPolicy = CheckpointPolicy()) {
        precondition(start.unfinishedRun != nil, "a run starts with its record")
        state = start.state
        record = start.unfinishedRun!
        self.streams = streams
        self.snapshot = snapshot
        self.openFiles = openFiles
        self.shouldStop = shouldStop
        self.observers = observers
        self.policy = policy
        committed = start
        // Without a stream (files only) nothing is delivered: the disorder is in the files' log alone.
        let seed = start.state.seed
        timeline = streams.isEmpty ? nil : start.unfinishedRun!.disorder.map {
            DeliveryTimeline(plan: DeliveryPlan(settings: $0.settings, seed: seed, zone: zone), epoch: $0.epoch.first, pending: $0.pending)
        }
    }

    /// What disorder this process delivered: late and duplicate deliveries made, and those still
    /// pending (kept in `merchants.json` by a stopped run); nil without disorder or without a stream.
    public var disorderFigures: (late: Int, duplicates: Int, pending: Int)? {
        timeline.map { ($0.delivered.late, $0.delivered.duplicates, $0.count) }
    }

    /// Commits the starting point before anything is written, so that a run killed at any later
    /// moment is recognised and continued by the same command.
    public func begin() throws {
        try policy.measure { try commit(Checkpoint(state: state, unfinishedRun: record)) }
        announceCommit()
    }

    /// Runs what remains of `periods` (days after the state's last one), one after another, each
    /// with its own files, paced by `pacer`. With `finishing`, completing the last period
    /// completes the run. At max pace (where the periods are finite) the next day is simulated
    /// while the current one is written.
    public func run<Periods: Sequence<Period>>(_ periods: Periods, pacer: Pacer, finishing: Bool) throws -> Outcome {
        let paced = pacer.pace != .max
        let source = paced
            ? DaySource(simulator: Simulator(state: state))
            : DaySource(simulator: Simulator(state: state), prefetching: periods.flatMap(remainingDays))
        defer { source.cancel() }
        var upcoming = periods.makeIterator()
        var next = upcoming.next()
        while let period = next {
            next = upcoming.next()
            let days = remainingDays(of: period)
            if days.isEmpty { continue }
            let files = try openFiles(period, record.files)
            do {
                for day in days {
                    let endsRun = finishing && next == nil && day == period.end
                    let outcome = try runDay(source.next(day), files: files, pacer: pacer,
                                             endsPeriod: day == period.end, drains: endsRun, paced: paced)
                    if outcome == .stopped {
                        try files.close(completed: false)
                        return .stopped
                    }
                }
                try complete(files, endsRun: finishing && next == nil)
            } catch {
                try? files.close(completed: false)
                throw error
            }
            if next != nil && shouldStop() { return .stopped }
        }
        return .completed
    }

    /// Closes the sinks that live for the whole run.
    public func finish(completed: Bool) {
        for sink in streams { try? sink.close(completed: completed) }
    }

    /// The days of `period` that the state has not completed yet.
    private func remainingDays(of period: Period) -> [Day] {
        guard let last = state.lastGeneratedDate else { return period.days }
        return period.days.filter { $0 > last }
    }

    /// Hands out the day's events, and the pending deliveries due before the next midnight (all of
    /// them when it `drains`, the run's last day).
    private func runDay(_ simulated: SimulatedDay, files: PeriodFiles, pacer: Pacer, endsPeriod: Bool, drains: Bool, paced: Bool) throws -> Outcome {
        let before = simulated.before, events = simulated.events, day = events.day
        state = simulated.after
        let resumed = before.partialDay?.date == day ? before.partialDay : nil
        var position = (merchant: resumed?.merchantEvents ?? 0, transaction: resumed?.transactions ?? 0)
        guard position.merchant <= events.merchantEvents.count && position.transaction <= events.transactions.count else {
            throw SinkError("merchants.json says \(position.transaction) transactions of \(day) were delivered, but the day has "
                + "\(events.transactions.count): the file was changed; pass -f to start over")
        }
        func progress() -> SimulationState {
            var partial = before
            partial.partialDay = PartialDay(date: day, merchantEvents: position.merchant, transactions: position.transaction)
            return partial
        }
        let horizon = drains ? Int64.max : day.adding(days: 1).startSecond
        func deliveriesRemain() -> Bool { timeline?.nextTime.map { $0 < horizon } ?? false }
        for observer in observers { observer.dayStarted(events) }
        var announcedPending = false
        while position.merchant < events.merchantEvents.count || position.transaction < events.transactions.count || deliveriesRemain() {
            if drains && !announcedPending && position.merchant == events.merchantEvents.count
                && position.transaction == events.transactions.count, let timeline {
                for observer in observers { observer.deliveringPending(timeline.count, after: day) }
                announcedPending = true
            }
            if shouldStop() {
                try checkpoint(progress(), files)
                return .stopped
            }
            if let timeline {
                position = try emitNextDisorderedSlice(of: events, from: position, to: files, pacer: pacer, timeline: timeline, horizon: horizon)
            } else {
                position = try emitNextSlice(of: events, from: position, to: files, pacer: pacer)
            }
            reached(.sliceWritten)
            if policy.isDue(paced: paced) { try checkpoint(progress(), files) }
        }
        // Every event of the day is out: a paced run checkpoints before it waits for midnight
        // (a period's last day as progress, since only the period's completion may finish it).
        if paced { try checkpoint(progress(), files) }
        pacer.wait(until: Double(day.adding(days: 1).startSecond))
        if !endsPeriod && (paced || policy.isDue(paced: false)) { try checkpoint(state, files) }
        for observer in observers { observer.dayCompleted(events, state: state) }
        return .completed
    }

    /// Makes every sink durable, then commits `state` with the files' lengths.
    private func checkpoint(_ state: SimulationState, _ files: PeriodFiles) throws {
        try policy.measure {
            for sink in streams { try sink.makeDurable() }
            try files.makeDurable()
            reached(.sinksDurable)
            for sink in streams { sink.noteProgress(in: &record) }
            record.files = files.durableLengths
            if let timeline { record.disorder?.pending = timeline.snapshot }
            try commit(Checkpoint(state: state, unfinishedRun: record))
        }
        announceCommit()
    }

    /// The period's end: every stream durable, the closing files written, then the checkpoint
    /// that says so (without the record when it ends the run).
    private func complete(_ files: PeriodFiles, endsRun: Bool) throws {
        try policy.measure {
            for sink in streams { try sink.makeDurable() }
            if endsRun { for sink in streams { try sink.confirmDurable() } }
            for sink in streams { sink.noteProgress(in: &record) }
            try files.complete(state: state)
            reached(.periodFilesWritten)
            record.files = [:]
            if let timeline { record.disorder?.pending = timeline.snapshot }
            try commit(Checkpoint(state: state, unfinishedRun: endsRun ? nil : record))
        }
        announceCommit()
    }

    private func announceCommit() {
        for observer in observers { observer.committed(committed, seconds: policy.lastCost) }
    }

    private func commit(_ checkpoint: Checkpoint) throws {
        try snapshot.save(checkpoint)
        committed = checkpoint
        reached(.committed)
    }

    /// Waits until the next event is due, then hands over every event that is due (at most `maxSlice`).
    private func emitNextSlice(of events: DayEvents, from position: (merchant: Int, transaction: Int),
                               to files: PeriodFiles, pacer: Pacer) throws -> (merchant: Int, transaction: Int) {
        let merchants = events.merchantEvents, transactions = events.transactions
        let inMerchants = position.merchant < merchants.count
        let next = inMerchants ? merchants[position.merchant].timestamp : transactions[position.transaction].timestamp
        pacer.wait(until: Double(next))
        if shouldStop() { return position }
        let due = pacer.simulatedNow()
        var end = position
        if inMerchants {
            end.merchant = Self.end(of: merchants, from: position.merchant, dueBy: due, \.timestamp)
        } else {
            end.transaction = Self.end(of: transactions, from: position.transaction, dueBy: due, \.timestamp)
        }
        try handOver(EventSlice(events: events, merchantEvents: position.merchant..<end.merchant,
                                transactions: position.transaction..<end.transaction), to: files, dueAt: next)
        return end
    }

    /// Gives `slice` to every stream, then to the files, then tells the observers.
    private func handOver(_ slice: EventSlice, to files: PeriodFiles, dueAt second: Int64) throws {
        for sink in streams { try sink.write(slice) }
        try files.write(slice)
        for observer in observers { observer.emitted(slice, simulatedSecond: second) }
    }

    /// With disorder: waits until the next event or pending delivery is due, then hands over every
    /// event and delivery due by then (at most `maxSlice`), the transactions' deliveries in mark
    /// order: a pending delivery goes before an on-time one of the same second (its event came
    /// earlier). Deliveries due at or after `horizon` wait for the next day.
    private func emitNextDisorderedSlice(of events: DayEvents, from position: (merchant: Int, transaction: Int),
                                         to files: PeriodFiles, pacer: Pacer, timeline: DeliveryTimeline,
                                         horizon: Int64) throws -> (merchant: Int, transaction: Int) {
        let merchants = events.merchantEvents, transactions = events.transactions
        func times(_ at: (merchant: Int, transaction: Int)) -> (merchant: Int64, transaction: Int64) {
            (at.merchant < merchants.count ? merchants[at.merchant].timestamp : .max,
             at.transaction < transactions.count ? transactions[at.transaction].timestamp : .max)
        }
        let nextDelivery = timeline.nextTime.map { $0 < horizon ? $0 : .max } ?? .max
        let start = times(position)
        let next = min(start.merchant, start.transaction, nextDelivery)
        pacer.wait(until: Double(next))
        if shouldStop() { return position }
        let now = pacer.simulatedNow()
        let due = max(next, now.isFinite && now < 9e18 ? Int64(now.rounded(.down)) : .max)
        var end = position
        var deliveries: [Delivery] = []
        for _ in 0..<Self.maxSlice {
            // Merchant events go first: another topic, and all before the day's transactions (see
            // `EventSlice`), so they hold no delivery back; transactions wait until they are out.
            let at = times(end)
            if at.merchant != .max && at.merchant <= due {
                end.merchant += 1
            } else if let delivery = timeline.popDue(by: min(at.transaction, due, horizon - 1)) {
                deliveries.append(delivery)
            } else if at.merchant == .max && at.transaction != .max && at.transaction <= due {
                if let onTime = timeline.reach(transactions[end.transaction], day: events.day, index: end.transaction) {
                    deliveries.append(onTime)
                }
                end.transaction += 1
            } else {
                break
            }
        }
        try handOver(EventSlice(events: events, merchantEvents: position.merchant..<end.merchant,
                                transactions: position.transaction..<end.transaction, deliveries: deliveries), to: files, dueAt: next)
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
