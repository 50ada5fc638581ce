import Simulation

/// A simulated day as it starts: the state before it and its merchant events, the day's first part.
public struct OpenedDay: Sendable {
    /// The state before the day: what a checkpoint within the day commits, with how far it got.
    public let before: SimulationState
    /// The merchant events; no transaction of the day is before `laterTransactionsFrom`.
    public let events: DayEvents
}

/// How a simulated day ended: the state after it and its events counted.
public struct ClosedDay: Sendable {
    public let after: SimulationState
    public let totals: DayTotals
    /// How many events of each stream the day had.
    public let counts: PartialDay
}

/// How large the pieces of a day may get.
public struct DayPartLimits: Sendable {
    /// Bytes of a day's drawn transactions held in memory; the rest waits in a scratch file.
    public var memoryBudget: Int
    /// Transactions in a part handed to the sinks: a part grows window by window of event time
    /// until the next window would take it past this (a single window may hold more).
    public var partSize: Int
    /// Merchants from which a day's transactions are drawn on two threads (`DrawnDay`).
    public var parallelDrawFrom: Int

    public init(memoryBudget: Int, partSize: Int, parallelDrawFrom: Int = 20_000) {
        self.memoryBudget = memoryBudget
        self.partSize = partSize
        self.parallelDrawFrom = parallelDrawFrom
    }

    /// A run's limits: 32 MiB (524,288 transactions) held, parts of 65,536 transactions. Spilling
    /// more costs little (one day at scale 100 took 0.89 s with 32 MiB held and 0.85–0.97 s with
    /// 96 MiB, and 36 MB less at its peak).
    /// Days of 20,000 merchants and more (about 340,000 transactions, from --scale 40) are drawn on
    /// two threads; smaller ones on one, since the run's thread is writing the day before meanwhile.
    public static let standard = DayPartLimits(memoryBudget: 32 << 20, partSize: 65_536)
}

/// Simulates days and hands each out in parts of bounded size: first its merchant events
/// (`open`), then its transactions in time order, a few windows of event time at a time (`next`),
/// each part settled (payment and card numbers) as it is handed out. The day's transactions are
/// drawn once, before its first part of them (so the merchant events can go out meanwhile), into
/// `TransactionSpool`s (`DrawnDay`), so a day of any size takes bounded memory.
/// The day's refunds and dispute events, known when it opens, go with the part whose stretch of
/// time holds them; its payouts, made when it closes, come in a last part of their own.
/// The parts of a day hold exactly the events that `Simulator.simulate` gives for the whole day.
final class DayParts {
    private var simulator: Simulator
    private let drawn: DrawnDay
    private let partSize: Int
    private var day: Day?
    /// True once the open day's transactions are drawn.
    private var isDrawn = false
    private var nextWindow = 0
    /// The open day's refunds and dispute events not yet in a part.
    private var refunds = DueFollowUps<Refund>([])
    private var disputes = DueFollowUps<DisputeEvent>([])
    /// True once the open day's simulation is closed (its payouts then made, and handed out in a last part).
    private var isClosed = false
    private var earlier = PartialDay(date: Day(ordinal: 0), merchantEvents: 0, transactions: 0)
    /// The opened day's events so far, counted.
    private(set) var totals = DayTotals(day: Day(ordinal: 0))

    /// The scratch file, if a day needs one, goes to `scratchFolder`.
    init(simulator: Simulator, scratchFolder: String, limits: DayPartLimits) {
        self.simulator = simulator
        drawn = DrawnDay(scratchFolder: scratchFolder, limits: limits)
        partSize = limits.partSize
    }

    /// Starts `day` (the state's next day): its merchant events.
    func open(_ day: Day) -> OpenedDay {
        precondition(self.day == nil, "the open day is closed first")
        let before = simulator.state
        let merchantEvents = simulator.open(day)
        self.day = day
        isDrawn = false
        isClosed = false
        nextWindow = 0
        refunds = DueFollowUps(simulator.dueRefunds)
        disputes = DueFollowUps(simulator.dueDisputes)
        let firstTransaction = Simulator.firstTransactionSecond(of: day)
        let events = DayEvents(day: day, merchantEvents: merchantEvents, transactions: [], refunds: refunds.take(before: firstTransaction),
                               disputes: disputes.take(before: firstTransaction), laterTransactionsFrom: firstTransaction)
        earlier = PartialDay(date: day, merchantEvents: merchantEvents.count, transactions: 0, refunds: events.refunds.count,
                             disputes: events.disputes.count)
        totals = DayTotals(day: day)
        totals.add(events)
        return OpenedDay(before: before, events: events)
    }

    /// How the day that the last `next` closed ended.
    var closed: ClosedDay { ClosedDay(after: simulator.state, totals: totals, counts: earlier) }

    /// The open day's next part of transactions; nil once they are all out, and the day closed.
    func next() throws -> DayEvents? {
        guard let day else { preconditionFailure("a day is open") }
        if !isDrawn {
            try drawn.draw(day, with: simulator.transactionDraw(of: day))
            isDrawn = true
        }
        let windows = TransactionSpool.windowsPerDay
        var start = nextWindow
        while start < windows && drawn.count(of: start) == 0 { start += 1 }
        guard start < windows else {
            if !refunds.isEmpty || !disputes.isEmpty {
                let part = DayEvents(day: day, merchantEvents: [], transactions: [], refunds: refunds.take(before: .max),
                                     disputes: disputes.take(before: .max), earlier: earlier)
                earlier.countFollowUps(of: part)
                return part
            }
            if !isClosed {
                simulator.close(day)
                isClosed = true
                if !simulator.closedPayouts.isEmpty {
                    let part = DayEvents(day: day, merchantEvents: [], transactions: [], payouts: simulator.closedPayouts, earlier: earlier)
                    earlier.payouts += part.payouts.count
                    return part
                }
            }
            self.day = nil
            return nil
        }
        var end = start + 1
        var size = drawn.count(of: start)
        while end < windows && size + drawn.count(of: end) <= partSize {
            size += drawn.count(of: end)
            end += 1
        }
        nextWindow = end
        var transactions = try drawn.transactions(of: start..<end, dayStart: day.startSecond)
        simulator.settle(&transactions, on: day)
        let later = drawn.firstSecond(from: end)
        let part = DayEvents(day: day, merchantEvents: [], transactions: transactions, refunds: refunds.take(before: later),
                             disputes: disputes.take(before: later), earlier: earlier, laterTransactionsFrom: later)
        earlier.add(transactions: transactions.count)
        earlier.countFollowUps(of: part)
        totals.add(part)
        return part
    }
}

/// A day's follow-ups of one kind, in time order, handed out part by part.
private struct DueFollowUps<Event: FollowUp> {
    private var events: [Event]
    private var out = 0

    init(_ events: [Event]) { self.events = events }

    var isEmpty: Bool { out == events.count }

    /// The ones not yet handed out that happen before `second`.
    mutating func take(before second: Int64) -> [Event] {
        let end = events[out...].firstIndex { $0.time >= second } ?? events.endIndex
        defer { out = end }
        return Array(events[out..<end])
    }
}

extension PartialDay {
    /// Counts the refunds and dispute events of `part` in.
    fileprivate mutating func countFollowUps(of part: DayEvents) {
        refunds += part.refunds.count
        disputes += part.disputes.count
    }
}
