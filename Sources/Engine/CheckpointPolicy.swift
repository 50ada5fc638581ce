import SimulatedClock

/// When a run checkpoints, beyond the points where it must (a period's end, a stop).
///
/// A checkpoint waits for Kafka to acknowledge everything and rewrites `merchants.json`, so it
/// happens only when the last one is older than the interval (or ten times what the last one
/// took): about a second at max pace, where thousands of days can pass in a second, and a few
/// seconds in paced and live runs, where a checkpoint delays the events that fall due meanwhile.
/// Paced and live runs also checkpoint at every day's end. Any run checkpoints within a day when
/// one is due, so that a crash repeats only a few seconds of events.
public struct CheckpointPolicy {
    /// Seconds between checkpoints at max pace.
    public let interval: Double
    /// Seconds between checkpoints in paced and live runs.
    public let pacedInterval: Double
    private let clock: WallClock
    private var lastAt = -Double.infinity
    /// Seconds the last checkpoint took.
    private(set) var lastCost = 0.0

    public init(interval: Double = 1, pacedInterval: Double = 5, clock: WallClock = MonotonicClock()) {
        self.interval = interval
        self.pacedInterval = pacedInterval
        self.clock = clock
    }

    /// True when the last checkpoint is old enough for another.
    public func isDue(paced: Bool) -> Bool {
        clock.now() - lastAt >= max(paced ? pacedInterval : interval, 10 * lastCost)
    }

    /// Times `checkpoint` and remembers when it ended.
    mutating func measure(_ checkpoint: () throws -> Void) rethrows {
        let started = clock.now()
        try checkpoint()
        lastAt = clock.now()
        lastCost = lastAt - started
    }
}
