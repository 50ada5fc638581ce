import Foundation
import Simulation

/// One simulated day with the states around it.
public struct SimulatedDay: Sendable {
    public let before: SimulationState
    public let events: DayEvents
    public let after: SimulationState
}

/// Hands out simulated days in order. With `prefetching`, a thread of its own simulates up to
/// `depth` days ahead, so that the next day is ready while the current one is encoded and
/// written; the simulation itself stays sequential on that thread, so the days are the same
/// bytes either way.
public final class DaySource: @unchecked Sendable {
    private var simulator: Simulator
    private let condition = NSCondition()
    private var ready: [SimulatedDay] = []
    private var cancelled = false
    private let depth = 2
    private let prefetching: Bool

    /// Simulates `days` ahead on a background thread.
    public init(simulator: Simulator, prefetching days: [Day]) {
        self.simulator = simulator
        prefetching = true
        Thread.detachNewThread { [self] in produce(days) }
    }

    /// Simulates on demand.
    public init(simulator: Simulator) {
        self.simulator = simulator
        prefetching = false
    }

    /// The next day: `day` must follow the previous one.
    public func next(_ day: Day) -> SimulatedDay {
        guard prefetching else { return simulate(day) }
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty { condition.wait() }
        let simulated = ready.removeFirst()
        precondition(simulated.events.day == day, "prefetched days are taken in order")
        condition.signal()
        return simulated
    }

    /// Stops simulating ahead.
    public func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    private func simulate(_ day: Day) -> SimulatedDay {
        let before = simulator.state
        let events = simulator.simulate(day)
        return SimulatedDay(before: before, events: events, after: simulator.state)
    }

    private func produce(_ days: [Day]) {
        for day in days {
            condition.lock()
            while ready.count >= depth && !cancelled { condition.wait() }
            let stop = cancelled
            condition.unlock()
            if stop { return }
            let simulated = simulate(day)
            condition.lock()
            ready.append(simulated)
            condition.signal()
            condition.unlock()
        }
    }
}
