import HeapModule
import Simulation
import Checkpoints
import Records

/// Hands the streams again every event that a checkpoint covers, from the simulation's first day,
/// so that topics that lost records get them back: the streams skip what they still hold
/// (`KafkaSink`) and publish the rest. The files are left alone: they hold those events already.
///
/// The same events as the run that made the checkpoint, day by day; with disorder the same
/// deliveries in mark order (every delivery of the events the checkpoint covers but those still
/// pending in it), which is possible only when the run's delivery order began on the simulation's
/// first day.
public struct Republisher {
    let checkpoint: Checkpoint
    let zone: any WallClockZone
    let scratchFolder: String
    let limits: DayPartLimits

    /// `checkpoint`: what `merchants.json` holds; `zone`: the rules of the run's time zone; the days
    /// go out in parts as in a run (`DaySource`), beyond `limits` through a scratch file in `scratchFolder`.
    public init(checkpoint: Checkpoint, zone: any WallClockZone, scratchFolder: String, limits: DayPartLimits = .standard) {
        self.checkpoint = checkpoint
        self.zone = zone
        self.scratchFolder = scratchFolder
        self.limits = limits
    }

    /// Republishes up to the checkpoint, every stream of its simulation; false when `shouldStop` said to stop first.
    public func republish(to publishers: [EventSink], shouldStop: () -> Bool) throws -> Bool {
        let state = checkpoint.state
        let eventStreams = EventStreams.of(state)
        guard let first = state.firstDate ?? state.partialDay?.date else { return true }
        // Each day with how many of each stream's events the checkpoint covers.
        var days = state.lastGeneratedDate.map { Period(start: first, end: $0).days.map { ($0, [Int](repeating: .max, count: eventStreams.count)) } } ?? []
        if let partial = state.partialDay { days.append((partial.date, eventStreams.map { partial[keyPath: $0.delivered] })) }
        var deliveries = try disorderedDeliveries(from: first)
        let source = DaySource(simulator: Simulator(state: state.beginning),
                               days: days.map(\.0), scratchFolder: scratchFolder, limits: limits)
        defer { source.cancel() }
        var lastPart: DayEvents?
        for (day, limits) in days {
            var part: DayEvents? = try source.open(day).events
            while let events = part {
                if shouldStop() { return false }
                lastPart = events
                let ranges = eventStreams.indices.map { index in
                    let first = events.earlier[keyPath: eventStreams[index].delivered]
                    return 0..<min(max(0, limits[index] - first), eventStreams[index].count(in: events))
                }
                let slice = EventSlice(events: events, ranges: ranges,
                                       deliveries: deliveries?.reach(events, through: ranges[EventStreams.deliveredIndex].upperBound))
                for sink in publishers { try sink.write(slice) }
                part = try source.nextPart()
            }
        }
        if let rest = deliveries?.rest, let lastPart {
            let none = [Range<Int>](repeating: 0..<0, count: eventStreams.count)
            for sink in publishers { try sink.write(EventSlice(events: lastPart, ranges: none, deliveries: rest)) }
        }
        return true
    }

    /// With disorder, the deliveries to make again; nil without.
    private func disorderedDeliveries(from first: Day) throws -> MadeDeliveries? {
        guard let disorder = checkpoint.unfinishedRun?.disorder else { return nil }
        guard disorder.epoch.first == first else {
            throw UserError("with late and duplicate delivery, records the cluster lost can be published again in their order only by a "
                + "run whose deliveries began on the simulation's first day \(first), and this one's began on \(disorder.epoch.first): "
                + "publish the simulation into new topics (--topic NAME=TOPIC)")
        }
        return MadeDeliveries(plan: DeliveryPlan(settings: disorder.settings, seed: checkpoint.state.seed, zone: zone),
                              epoch: disorder.epoch.first, pending: Set(disorder.pending.map(\.mark)))
    }
}

/// The deliveries a run made, in mark order: every delivery of the transactions reached, except
/// those still pending at the checkpoint.
private struct MadeDeliveries {
    let plan: DeliveryPlan
    let epoch: Day
    let pending: Set<DeliveryMark>
    /// Late and duplicate deliveries of the transactions reached, not handed out yet.
    private var waiting = Heap<Waiting>()

    init(plan: DeliveryPlan, epoch: Day, pending: Set<DeliveryMark>) {
        self.plan = plan
        self.epoch = epoch
        self.pending = pending
    }

    /// The deliveries due by the time the first `count` transactions of `events` (a part of a day)
    /// are reached, in mark order.
    mutating func reach(_ events: DayEvents, through count: Int) -> [Delivery] {
        var made: [Delivery] = []
        for index in 0..<count {
            let (first, second) = plan.deliveries(of: events.transactions[index], day: events.day, index: events.earlier.transactions + index,
                                                  epoch: epoch)
            if let second { waiting.insert(Waiting(second)) }
            guard first.mark.kind == .onTime else {
                waiting.insert(Waiting(first))
                continue
            }
            while let next = waiting.min, next.delivery.mark < first.mark { keep(waiting.removeMin().delivery, in: &made) }
            keep(first, in: &made)
        }
        return made
    }

    /// Every delivery still waiting, in mark order.
    var rest: [Delivery] {
        var copy = waiting
        var made: [Delivery] = []
        while let next = copy.popMin() { keep(next.delivery, in: &made) }
        return made
    }

    private func keep(_ delivery: Delivery, in made: inout [Delivery]) {
        if !pending.contains(delivery.mark) { made.append(delivery) }
    }

    private struct Waiting: Comparable {
        let delivery: Delivery

        init(_ delivery: Delivery) { self.delivery = delivery }

        static func < (a: Waiting, b: Waiting) -> Bool { a.delivery.mark < b.delivery.mark }
        static func == (a: Waiting, b: Waiting) -> Bool { a.delivery.mark == b.delivery.mark }
    }
}
