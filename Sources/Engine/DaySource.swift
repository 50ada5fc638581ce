import Foundation
import Simulation

/// Hands out simulated days in order, each in parts (`DayParts`): `open` a day, take its parts
/// with `nextPart` until it returns nil, then read `closed`. A thread of its own simulates a few
/// parts ahead, across days, so that the next part is ready while the current one is encoded and
/// written, and a live feed's next day is drawn before its midnight; the simulation itself stays
/// sequential on that thread, so the days are the same bytes however the threads run.
public final class DaySource: @unchecked Sendable {
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
    /// The last day's end, once `nextPart` returned nil.
    public private(set) var closed: ClosedDay?

    /// Simulates `days` (endless for a live feed) ahead on a background thread. A day's transactions
    /// beyond `limits` wait in an unnamed scratch file in `scratchFolder`.
    public init<Days: Sequence<Day>>(simulator: Simulator, days: Days, scratchFolder: String, limits: DayPartLimits = .standard) {
        parts = DayParts(simulator: simulator, scratchFolder: scratchFolder, limits: limits)
        let upcoming = UpcomingDays(days.makeIterator())
        Thread.detachNewThread { [self] in produce(upcoming) }
    }

    /// Opens `day`, which must follow the previous one.
    public func open(_ day: Day) throws -> OpenedDay {
        closed = nil
        switch take() {
        case let .opened(opened):
            precondition(opened.events.day == day, "prefetched days are taken in order")
            return opened
        case let .failed(error): throw error
        case .part, .closed: preconditionFailure("a day's parts are taken before the next day opens")
        }
    }

    /// The open day's next part; nil when the day is over (`closed` then says how it ended).
    public func nextPart() throws -> DayEvents? {
        switch take() {
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

    private func take() -> Item {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty { condition.wait() }
        let item = ready.removeFirst()
        if case let .failed(error) = item { ready.insert(.failed(error), at: 0) }
        condition.signal()
        return item
    }

    private func produce(_ days: UpcomingDays) {
        do {
            while let day = days.next() {
                guard put(.opened(parts.open(day))) else { return }
                while let part = try parts.next() {
                    guard put(.part(part)) else { return }
                }
                guard put(.closed(parts.closed)) else { return }
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

/// The days a `DaySource` simulates: an iterator that only its thread advances.
private final class UpcomingDays: @unchecked Sendable {
    private var iterator: any IteratorProtocol<Day>

    init(_ iterator: some IteratorProtocol<Day>) { self.iterator = iterator }

    func next() -> Day? { iterator.next() }
}
