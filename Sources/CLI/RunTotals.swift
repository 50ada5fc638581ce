import Clock
import Simulation
import Sinks

/// What a run produced, for the end-of-run summary.
struct RunTotals {
    private(set) var days = 0
    private(set) var transactions = 0
    private(set) var merchantEvents = 0
    private var startedAt = 0.0
    private let clock = MonotonicClock()

    mutating func start() { startedAt = clock.now() }

    mutating func add(_ events: DayEvents) {
        days += 1
        transactions += events.transactions.count
        merchantEvents += events.merchantEvents.count
    }

    func summary(period: Period) -> String {
        let seconds = max(clock.now() - startedAt, 1e-9)
        let rate = Int(Double(transactions) / seconds)
        return "generated \(period.start)..\(period.end): \(days) days, \(transactions) transactions, "
            + "\(merchantEvents) merchant events in \(Self.format(seconds)) s (\(rate) tx/s)"
    }

    static func format(_ seconds: Double) -> String {
        let hundredths = Int((seconds * 100).rounded())
        let fraction = String(hundredths % 100)
        return "\(hundredths / 100).\(fraction.count == 1 ? "0" + fraction : fraction)"
    }
}

/// One line of `--debug` output for a day.
struct DayFigures: CustomStringConvertible {
    let events: DayEvents
    let state: SimulationState

    var description: String {
        var created = 0, updated = 0, churned = 0
        for event in events.merchantEvents {
            switch event.kind {
            case .created: created += 1
            case .updated: updated += 1
            case .churned: churned += 1
            }
        }
        let declined = events.transactions.reduce(0) { $0 + ($1.approved ? 0 : 1) }
        let reused = events.transactions.reduce(0) { $0 + ($1.isNewCard ? 0 : 1) }
        return "\(events.day): \(events.transactions.count) transactions (\(declined) declined, \(reused) on stored cards), "
            + "merchants +\(created) ~\(updated) -\(churned), \(state.activeMerchantCount) active, "
            + "\(state.storedCards.count) stored cards"
    }
}
