/// The rules of the time zone whose wall-clock time the simulated clock shows. The simulation
/// counts local wall-clock seconds (what the CSV timestamps show); where elapsed time matters (a
/// late delivery's delay) it goes through the true instants. The caller supplies the zone's rules
/// (the `Clock` module's `SimulatedTimeZone`), so the simulation stays a pure function of its inputs.
public protocol WallClockZone: Sendable {
    /// The UTC second of a local wall-clock second: in a repeated hour the first of the two, in a
    /// skipped hour the instant reached by the offset before the jump (as `java.time` and Python's
    /// `zoneinfo` read such a time: 02:30 on a spring-forward day in New York is 03:30 EDT).
    func utcSecond(ofLocal local: Int64) -> Int64
    /// The local wall-clock second of a UTC second.
    func localSecond(ofUTC utc: Int64) -> Int64
}

/// Coordinated Universal Time: local seconds are UTC seconds.
public struct UTCWallClock: WallClockZone {
    public init() {}

    public func utcSecond(ofLocal local: Int64) -> Int64 { local }

    public func localSecond(ofUTC utc: Int64) -> Int64 { utc }
}

extension WallClockZone where Self == UTCWallClock {
    /// UTC, for a simulation whose clock runs on UTC.
    public static var utc: UTCWallClock { UTCWallClock() }
}
