import Clock
import Logging
import Simulation
import Sinks

/// Drives one run: simulates each day of the period, hands its events to every sink as they
/// fall due on the pacer's clock, and completes the day on every sink in order (the state
/// snapshot last).
final class ReplayRun {
    private var simulator: Simulator
    private let period: Period
    private let sinks: [EventSink]
    private let pacer: Pacer
    private let logger: Logger
    private(set) var totals = RunTotals()

    init(simulator: Simulator, period: Period, sinks: [EventSink], pacer: Pacer, logger: Logger) {
        self.simulator = simulator
        self.period = period
        self.sinks = sinks
        self.pacer = pacer
        self.logger = logger
    }

    func run() throws {
        totals.start()
        do {
            pacer.anchor(at: Double(period.start.startSecond))
            for ordinal in period.start.ordinal...period.end.ordinal {
                let day = Day(ordinal: ordinal)
                let events = simulator.simulate(day)
                try emit(events)
                pacer.wait(until: Double(day.adding(days: 1).startSecond))
                for sink in sinks { try sink.dayCompleted(day, state: simulator.state) }
                totals.add(events)
                logger.debug("\(DayFigures(events: events, state: simulator.state))")
            }
            for sink in sinks { try sink.close(state: simulator.state, completed: true) }
        } catch {
            for sink in sinks { try? sink.close(state: simulator.state, completed: false) }
            throw error
        }
    }

    /// Hands the day's events to the sinks in slices of the events that are due.
    private func emit(_ events: DayEvents) throws {
        var merchantIndex = 0
        var transactionIndex = 0
        let merchantCount = events.merchantEvents.count
        let transactionCount = events.transactions.count
        while merchantIndex < merchantCount || transactionIndex < transactionCount {
            let next = merchantIndex < merchantCount
                ? events.merchantEvents[merchantIndex].timestamp : events.transactions[transactionIndex].timestamp
            pacer.wait(until: Double(next))
            let due = pacer.simulatedNow()
            let merchantEnd = Self.end(of: events.merchantEvents, from: merchantIndex, dueBy: due, \.timestamp)
            let transactionEnd = merchantEnd < merchantCount
                ? transactionIndex : Self.end(of: events.transactions, from: transactionIndex, dueBy: due, \.timestamp)
            let slice = EventSlice(events: events, merchantEvents: merchantIndex..<merchantEnd,
                                   transactions: transactionIndex..<transactionEnd)
            for sink in sinks { try sink.write(slice) }
            merchantIndex = merchantEnd
            transactionIndex = transactionEnd
        }
    }

    /// The index after the last element from `start` on whose time is due by `due`.
    private static func end<Element>(of elements: [Element], from start: Int, dueBy due: Double,
                                     _ time: (Element) -> Int64) -> Int {
        guard due.isFinite else { return elements.count }
        var index = start
        while index < elements.count && Double(time(elements[index])) <= due { index += 1 }
        return index
    }
}
