import Clock

/// When a run checkpoints, beyond the points where it must (a period's end, a stop).
///
/// A checkpoint waits for Kafka to acknowledge everything and rewrites `merchants.json`, so at
/// max pace, where thousands of days can pass in a second, it happens only when the last one is
/// older than `interval` (or ten times what the last one took). Paced and live runs also
/// checkpoint at every day's end. Any run checkpoints within a day when one is due, so that a
/// crash repeats at most a few seconds of events.
public struct CheckpointPolicy {
    public let interval: Double
    private let clock: WallClock
    private var lastAt = -Double.infinity
    private var lastCost = 0.0

    public init(interval: Double = 1, clock: WallClock = MonotonicClock()) {
        self.interval = interval
        self.clock = clock
    }

    /// True when the last checkpoint is old enough for another.
    public func isDue() -> Bool {
        clock.now() - lastAt >= max(interval, 10 * lastCost)
    }

    /// Times `checkpoint` and remembers when it ended.
    mutating func measure(_ checkpoint: () throws -> Void) rethrows {
        let started = clock.now()
        try checkpoint()
        lastAt = clock.now()
        lastCost = lastAt - started
    }
}
