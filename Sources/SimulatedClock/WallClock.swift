#if canImport(Glibc)
import Glibc
#endif

/// The wall clock the pacer reads and sleeps on; tests inject their own.
public protocol WallClock: AnyObject {
    /// Monotonic seconds from an arbitrary origin.
    func now() -> Double
    /// Returns at `instant` (on the `now()` scale) or soon after.
    func sleep(until instant: Double)
}

/// The system's monotonic clock.
public final class MonotonicClock: WallClock, Sendable {
    public init() {}

    public func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    public func sleep(until instant: Double) {
        let whole = instant.rounded(.down)
        var spec = timespec(tv_sec: Int(whole), tv_nsec: Int((instant - whole) * 1e9))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &spec, nil) == EINTR {}
    }
}
