import Foundation
import Simulation

/// Hands out simulated days in order, each in parts (`DayParts`): `open` a day, take its parts
/// with `nextPart` until it returns nil, then read `closed`. With `prefetching`, a thread of its
/// own simulates a few parts ahead, across days, so that the next part is ready while the current
/// one is encoded and written; the simulation itself stays sequential on that thread, so the days
/// are the same bytes either way.
public final class DaySource: @unchecked Sendable {
    /// How a day ends: the state after it and its events counted.
    public struct ClosedDay: Sendable {
        public let after: SimulationState
        public let totals: DayTotals
    }

    private enum Item {
        case opened(OpenedDay)
        case part(DayEvents)
        case closed(ClosedDay)
        case failed(any Error)
    }

    private let parts: DayParts
    private let condition = NSCondition()
    private var ready: [Item] = []
    private var cancelled = false
    /// Items simulated ahead at most: each part holds at most about `DayPartLimits.partSize` transactions.
    private let depth = 4
    private let prefetching: Bool
    /// The last day's end, once `nextPart` returned nil.
    public private(set) var closed: ClosedDay?

    /// Simulates `days` ahead on a background thread. A day's transactions beyond `limits` wait in
    /// an unnamed scratch file in `scratchFolder`.
    public init(simulator: Simulator, prefetching days: [Day], scratchFolder: String, limits: DayPartLimits = .standard) {
        parts = DayParts(simulator: simulator, scratchFolder: scratchFolder, limits: limits)
        prefetching = true
        Thread.detachNewThread { [self] in produce(days) }
    }

    /// Simulates on demand.
    public init(simulator: Simulator, scratchFolder: String, limits: DayPartLimits = .standard) {
        parts = DayParts(simulator: simulator, scratchFolder: scratchFolder, limits: limits)
        prefetching = false
    }

    /// Opens `day`, which must follow the previous one.
    public func open(_ day: Day) throws -> OpenedDay {
        closed = nil
        switch prefetching ? take() : .opened(try parts.open(day)) {
        case let .opened(opened):
            precondition(opened.events.day == day, "prefetched days are taken in order")
            return opened
        case let .failed(error): throw error
        case .part, .closed: preconditionFailure("a day's parts are taken before the next day opens")
        }
    }

    /// The open day's next part; nil when the day is over (`closed` then says how it ended).
    public func nextPart() throws -> DayEvents? {
        let item = prefetching ? take() : try parts.next().map(Item.part) ?? .closed(closing())
        switch item {
        case let .part(events): return events
        case let .closed(day):
            closed = day
            return nil
        case let .failed(error): throw error
        case .opened: preconditionFailure("a day's parts are taken before the next day opens")
        }
    }

    /// Stops simulating ahead.
    public func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    private func closing() -> ClosedDay {
        ClosedDay(after: parts.state, totals: parts.totals)
    }

    private func take() -> Item {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty { condition.wait() }
        let item = ready.removeFirst()
        if case let .failed(error) = item { ready.insert(.failed(error), at: 0) }
        condition.signal()
        return item
    }

    private func produce(_ days: [Day]) {
        do {
            for day in days {
                guard put(.opened(try parts.open(day))) else { return }
                while let part = try parts.next() {
                    guard put(.part(part)) else { return }
                }
                guard put(.closed(closing())) else { return }
            }
        } catch {
            _ = put(.failed(error))
        }
    }

    /// Queues `item` once there is room; false when cancelled.
    private func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while ready.count >= depth && !cancelled { condition.wait() }
        if cancelled { return false }
        ready.append(item)
        condition.signal()
        return true
    }
}
