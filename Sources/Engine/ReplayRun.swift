import Checkpoints
import Records
import SimulatedClock
import Simulation

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
    private let publishers: [EventSink]
    /// The streams of events the days produce (`EventStreams.of` the simulation).
    private let eventStreams: [any EventStream]
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
    /// Where a day's transactions beyond `limits` wait for their turn (an unnamed file).
    private let scratchFolder: String
    private let limits: DayPartLimits

    /// At max pace, the most events handed over at once, so that a stop request is seen promptly.
    public static let maxSlice = 8_192

    /// `start` is where the run begins: its state and the record of the run (which must be set);
    /// `zone` the rules of its clock's time zone (late deliveries land at elapsed time);
    /// `publishers` the sinks that live for the whole run (Kafka; none for files only); `scratchFolder`
    /// where a large day's transactions wait for their turn in a file without a name (the output folder),
    /// beyond `limits`.
    public init(start: Checkpoint, zone: any WallClockZone, publishers: [EventSink],
                snapshot: StateSnapshot, scratchFolder: String, openFiles: @escaping (Period, [String: Int]) throws -> PeriodFiles,
                shouldStop: @escaping () -> Bool, observers: [RunObserver], policy: CheckpointPolicy = CheckpointPolicy(),
                limits: DayPartLimits = .standard) {
        precondition(start.unfinishedRun != nil, "a run starts with its record")
        state = start.state
        record = start.unfinishedRun!
        self.publishers = publishers
        self.eventStreams = EventStreams.of(start.state)
        self.snapshot = snapshot
        self.scratchFolder = scratchFolder
        self.limits = limits
        self.openFiles = openFiles
        self.shouldStop = shouldStop
        self.observers = observers
        self.policy = policy
        committed = start
        // Without a publisher (files only) nothing is delivered: the disorder is in the files' log alone.
        let seed = start.state.seed
        timeline = publishers.isEmpty ? nil : start.unfinishedRun!.disorder.map {
            DeliveryTimeline(plan: DeliveryPlan(settings: $0.settings, seed: seed, zone: zone), epoch: $0.epoch.first, pending: $0.pending)
        }
    }

    /// What disorder this process delivered: late and duplicate deliveries made, and those still
    /// pending (kept in `merchants.json` by a stopped run); nil without disorder or without a publisher.
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
    /// completes the run. The days are simulated a few parts ahead (`DaySource`), so the next part
    /// is drawn while the current one is written, and a live feed's next day before its midnight.
    /// `periods` is iterated twice (by the simulation and by the run), as `Sequence`s like
    /// `sequence(first:next:)` and arrays allow.
    public func run<Periods: Sequence<Period>>(_ periods: Periods, pacer: Pacer, finishing: Bool) throws -> Outcome {
        let paced = pacer.pace != .max
        let last = state.lastGeneratedDate
        let days = periods.lazy.flatMap(\.days).filter { last == nil || $0 > last! }
        let source = DaySource(simulator: Simulator(state: state), days: days, scratchFolder: scratchFolder, limits: limits)
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
                    let outcome = try runDay(day, from: source, files: files, pacer: pacer,
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
        for sink in publishers { try? sink.close(completed: completed) }
    }

    /// The days of `period` that the state has not completed yet.
    private func remainingDays(of period: Period) -> [Day] {
        guard let last = state.lastGeneratedDate else { return period.days }
        return period.days.filter { $0 > last }
    }

    /// Hands out the day's events part by part, and the pending deliveries due before the next
    /// midnight (all of them when it `drains`, the run's last day).
    private func runDay(_ day: Day, from source: DaySource, files: PeriodFiles, pacer: Pacer, endsPeriod: Bool, drains: Bool,
                        paced: Bool) throws -> Outcome {
        let opened = try source.open(day)
        let before = opened.before
        let resumed = before.partialDay?.date == day ? before.partialDay : nil
        // How many of the day's events of each stream every sink was handed.
        var handed = eventStreams.map { resumed?[keyPath: $0.delivered] ?? 0 }
        func progress() -> SimulationState {
            var partial = before
            var delivered = PartialDay(date: day, merchantEvents: 0, transactions: 0)
            for (index, stream) in eventStreams.enumerated() { delivered[keyPath: stream.delivered] = handed[index] }
            partial.partialDay = delivered
            return partial
        }
        let horizon = drains ? Int64.max : day.adding(days: 1).startSecond
        func deliveriesRemain() -> Bool { timeline?.nextTime.map { $0 < horizon } ?? false }
        for observer in observers { observer.dayStarted(opened.events) }
        var part: DayEvents? = opened.events
        while let events = part {
            let counts = eventStreams.map { $0.count(in: events) }
            let firsts = eventStreams.map { events.earlier[keyPath: $0.delivered] }
            // Within the part: the events every sink was handed (a resumed day skips those).
            var position = eventStreams.indices.map { min(counts[$0], max(0, handed[$0] - firsts[$0])) }
            while position.indices.contains(where: { position[$0] < counts[$0] }) {
                if shouldStop() {
                    try checkpoint(progress(), files)
                    return .stopped
                }
                position = try emitNextSlice(of: events, from: position, counts: counts, to: files, pacer: pacer, horizon: horizon)
                for index in eventStreams.indices { handed[index] = max(handed[index], firsts[index] + position[index]) }
                reached(.sliceWritten)
                if policy.isDue(paced: paced) { try checkpoint(progress(), files) }
            }
            part = try source.nextPart()
        }
        let closed = source.closed!
        for (index, stream) in eventStreams.enumerated() where handed[index] > closed.counts[keyPath: stream.delivered] {
            throw SinkError("merchants.json says \(handed[index]) \(stream.eventsNoun) of \(day) were delivered, but the day has "
                + "\(closed.counts[keyPath: stream.delivered]): the file was changed; pass -f to start over")
        }
        state = closed.after
        if let timeline, deliveriesRemain() {
            let rest = DayEvents(day: day, merchantEvents: [], transactions: [], earlier: closed.counts)
            let none = [Int](repeating: 0, count: eventStreams.count)
            if drains { for observer in observers { observer.deliveringPending(timeline.count, after: day) } }
            while deliveriesRemain() {
                if shouldStop() {
                    try checkpoint(progress(), files)
                    return .stopped
                }
                _ = try emitNextSlice(of: rest, from: none, counts: none, to: files, pacer: pacer, horizon: horizon)
                reached(.sliceWritten)
                if policy.isDue(paced: paced) { try checkpoint(progress(), files) }
            }
        }
        // Every event of the day is out: a paced run checkpoints before it waits for midnight
        // (a period's last day as progress, since only the period's completion may finish it).
        if paced { try checkpoint(progress(), files) }
        pacer.wait(until: Double(day.adding(days: 1).startSecond))
        if !endsPeriod && (paced || policy.isDue(paced: false)) { try checkpoint(state, files) }
        for observer in observers { observer.dayCompleted(closed.totals, state: state) }
        return .completed
    }

    /// Hands over the next slice of `events` from `position`, with disorder or without.
    private func emitNextSlice(of events: DayEvents, from position: [Int], counts: [Int], to files: PeriodFiles, pacer: Pacer,
                               horizon: Int64) throws -> [Int] {
        if let timeline {
            return try emitNextDisorderedSlice(of: events, from: position, counts: counts, to: files, pacer: pacer,
                                               timeline: timeline, horizon: horizon)
        }
        return try emitNextSlice(of: events, from: position, counts: counts, to: files, pacer: pacer)
    }

    /// Makes every sink durable, then commits `state` with the files' lengths.
    private func checkpoint(_ state: SimulationState, _ files: PeriodFiles) throws {
        try policy.measure {
            for sink in publishers { try sink.makeDurable() }
            try files.makeDurable()
            reached(.sinksDurable)
            for sink in publishers { sink.noteProgress(in: &record) }
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
            for sink in publishers { try sink.makeDurable() }
            if endsRun { for sink in publishers { try sink.confirmDurable() } }
            for sink in publishers { sink.noteProgress(in: &record) }
            record.files = [:]
            if let timeline { record.disorder?.pending = timeline.snapshot }
            let checkpoint = Checkpoint(state: state, unfinishedRun: endsRun ? nil : record)
            try snapshot.save(checkpoint) {
                try files.complete(state: state)
                reached(.periodFilesWritten)
            }
            committed = checkpoint
            reached(.committed)
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

    /// The time of each stream's next event at `position` (`Int64.max` for a stream whose events are all out).
    private func nextTimes(of events: DayEvents, at position: [Int], counts: [Int]) -> [Int64] {
        eventStreams.indices.map { position[$0] < counts[$0] ? eventStreams[$0].eventTime(at: position[$0], in: events) : .max }
    }

    /// Waits until the next event is due, then hands over the events of its stream that are due
    /// (at most `maxSlice`); the earlier stream in `eventStreams` goes first when two are due at once.
    private func emitNextSlice(of events: DayEvents, from position: [Int], counts: [Int], to files: PeriodFiles, pacer: Pacer) throws -> [Int] {
        let times = nextTimes(of: events, at: position, counts: counts)
        let next = times.min()!
        let stream = times.firstIndex(of: next)!
        pacer.wait(until: Double(next))
        if shouldStop() { return position }
        var end = position
        end[stream] = eventStreams[stream].sliceEnd(in: events, from: position[stream], dueBy: pacer.simulatedNow(), limit: Self.maxSlice)
        try handOver(EventSlice(events: events, ranges: zip(position, end).map { $0..<$1 }), to: files, dueAt: next)
        return end
    }

    /// Gives `slice` to every stream, then to the files, then tells the observers.
    private func handOver(_ slice: EventSlice, to files: PeriodFiles, dueAt second: Int64) throws {
        for sink in publishers { try sink.write(slice) }
        try files.write(slice)
        for observer in observers { observer.emitted(slice, simulatedSecond: second) }
    }

    /// With disorder: waits until the next event or pending delivery is due, then hands over every
    /// event and delivery due by then (at most `maxSlice`). The other streams' due events go first;
    /// then the delivered stream's deliveries in mark order: a pending delivery goes before an
    /// on-time one of the same second (its event came earlier). Deliveries due at or after
    /// `horizon` wait for the next day. The delivered stream's on-time events wait until the events
    /// of the streams before it in `eventStreams` are out (the merchant events: they all come first
    /// in a day, see `DayEvents`); the streams after it (the lifecycle's) go by their own times.
    private func emitNextDisorderedSlice(of events: DayEvents, from position: [Int], counts: [Int], to files: PeriodFiles, pacer: Pacer,
                                         timeline: DeliveryTimeline, horizon: Int64) throws -> [Int] {
        let delivered = EventStreams.deliveredIndex
        let times = nextTimes(of: events, at: position, counts: counts)
        let nextDelivery = timeline.nextTime.map { $0 < horizon ? $0 : .max } ?? .max
        let next = min(times.min()!, nextDelivery)
        pacer.wait(until: Double(next))
        if shouldStop() { return position }
        let now = pacer.simulatedNow()
        let due = max(next, now.isFinite && now < 9e18 ? Int64(now.rounded(.down)) : .max)
        var end = position
        var budget = Self.maxSlice
        for (index, stream) in eventStreams.enumerated() where index != delivered && budget > 0 && times[index] != .max && times[index] <= due {
            end[index] = stream.sliceEnd(in: events, from: position[index], dueBy: Double(due), limit: budget)
            budget -= end[index] - position[index]
        }
        let earlierOut = (0..<delivered).allSatisfy { end[$0] == counts[$0] }
        let transactions = events.transactions
        let firstIndex = events.earlier[keyPath: eventStreams[delivered].delivered]
        var deliveries: [Delivery] = []
        while budget > 0 {
            let inPart = end[delivered] < counts[delivered]
            let nextEvent = inPart ? transactions[end[delivered]].timestamp : events.laterTransactionsFrom
            if let delivery = timeline.popDue(by: min(nextEvent, due, horizon - 1)) {
                deliveries.append(delivery)
            } else if earlierOut && inPart && nextEvent <= due {
                if let made = timeline.reach(transactions[end[delivered]], day: events.day, index: firstIndex + end[delivered]) {
                    deliveries.append(made)
                }
                end[delivered] += 1
            } else {
                break
            }
            budget -= 1
        }
        try handOver(EventSlice(events: events, ranges: zip(position, end).map { $0..<$1 }, deliveries: deliveries), to: files, dueAt: next)
        return end
    }
}
