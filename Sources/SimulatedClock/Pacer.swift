/// Maps simulated time to wall time and waits until simulated instants fall due. The only
/// part of the program that sleeps.
///
/// An event at simulated second `s` is due at wall time `wallAnchor + (s - simAnchor) / factor`.
public final class Pacer {
    public let pace: Pace
    private let clock: WallClock
    private let isInterrupted: () -> Bool
    private let whileWaiting: (Double) -> Void
    private var simAnchor: Double = 0
    private var wallAnchor: Double = 0
    private var anchorsAtFirstWait = false
    /// The longest single sleep, so that an interruption is noticed promptly.
    static let sleepSlice = 0.05

    /// `isInterrupted` is polled while waiting; when it turns true, `wait` returns early.
    /// `whileWaiting` is told, at each slice of a wait, the simulated second the schedule has
    /// reached (the present on the simulated clock while no event is due).
    public init(pace: Pace, clock: WallClock = MonotonicClock(), isInterrupted: @escaping () -> Bool = { false },
                whileWaiting: @escaping (Double) -> Void = { _ in }) {
        self.pace = pace
        self.clock = clock
        self.isInterrupted = isInterrupted
        self.whileWaiting = whileWaiting
    }

    /// From now on, simulated second `simSecond` is the present; with `atFirstWait`, from the
    /// moment of the first `wait` on (when the first events are ready), not from this call.
    public func anchor(at simSecond: Double, atFirstWait: Bool = false) {
        simAnchor = simSecond
        wallAnchor = clock.now()
        anchorsAtFirstWait = atFirstWait
    }

    /// The wall instant at which `simSecond` is due (on the clock's scale); -∞ at max pace.
    public func wallTime(of simSecond: Double) -> Double {
        switch pace {
        case .max: return -.infinity
        case let .factor(factor): return wallAnchor + (simSecond - simAnchor) / factor
        }
    }

    /// The simulated second that is due now; +∞ at max pace.
    public func simulatedNow() -> Double {
        switch pace {
        case .max: return .infinity
        case let .factor(factor): return simAnchor + (clock.now() - wallAnchor) * factor
        }
    }

    /// Sleeps until `simSecond` is due; returns at once at max pace or when it is past, and early
    /// when interrupted.
    public func wait(until simSecond: Double) {
        guard case let .factor(factor) = pace else { return }
        if anchorsAtFirstWait {
            anchorsAtFirstWait = false
            wallAnchor = clock.now()
        }
        let due = wallTime(of: simSecond)
        while true {
            let now = clock.now()
            if now >= due || isInterrupted() { return }
            whileWaiting(simAnchor + (now - wallAnchor) * factor)
            clock.sleep(until: min(due, now + Pacer.sleepSlice))
        }
    }

    /// How late the wall clock is against the schedule of `simSecond`, in seconds (≥ 0 when behind).
    public func lag(of simSecond: Double) -> Double {
        guard case .factor = pace else { return 0 }
        return clock.now() - wallTime(of: simSecond)
    }
}
