import Foundation
import Simulation
import Synchronization

/// The zone whose wall-clock time the simulation runs on. Simulated seconds count that zone's
/// wall-clock time as if it were UTC (which is what the CSV timestamps show); `utcSecond(ofLocal:)`
/// turns one into the true instant (Kafka timestamps), `localSecond(ofUTC:)` an instant into
/// wall-clock time (where a late delivery lands).
///
/// A local time in a repeated hour is read as its first pass, one in a skipped hour with the
/// offset before the jump (02:30 on a spring-forward day in New York is 03:30 EDT): the rule of
/// `java.time` and of Python's `zoneinfo`, so consumers in either read the same instant.
public final class SimulatedTimeZone: WallClockZone {
    public let identifier: String
    private let zone: TimeZone
    /// UTC offset by local hour (local seconds / 3600), for hours with no change of offset nearby.
    private let offsetByLocalHour = Mutex<[Int64: Int64]>([:])
    /// UTC offset by UTC hour, for hours with one offset throughout.
    private let offsetByUTCHour = Mutex<[Int64: Int64]>([:])
    /// Entries kept in each cache before it starts over (a long run meets an hour once).
    private static let cacheLimit = 100_000

    /// Nil for a name that is not an IANA time zone.
    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.identifier = identifier
        self.zone = zone
    }

    /// The zone's wall-clock time now, in simulated seconds.
    public func localNow() -> Double {
        let now = Date()
        return now.timeIntervalSince1970 + Double(zone.secondsFromGMT(for: now))
    }

    public func utcSecond(ofLocal local: Int64) -> Int64 {
        let hour = Self.hour(of: local)
        if let offset = offsetByLocalHour.withLock({ $0[hour] }) { return local - offset }
        // The offsets a day before and a day after bracket every instant this local time can be.
        let before = offset(at: local - 86_400), after = offset(at: local + 86_400)
        if before == after {
            remember(before, for: hour, in: offsetByLocalHour)
            return local - before
        }
        // A change of offset nearby: the earlier reading when it exists (the first pass of a
        // repeated hour), else the later one, else (a skipped hour) the offset before the change.
        let early = local - before, late = local - after
        if offset(at: early) == before { return early }
        if offset(at: late) == after { return late }
        return early
    }

    public func localSecond(ofUTC utc: Int64) -> Int64 {
        let hour = Self.hour(of: utc)
        if let offset = offsetByUTCHour.withLock({ $0[hour] }) { return utc + offset }
        let start = hour * 3600
        let offset = offset(at: utc)
        if offset == self.offset(at: start), offset == self.offset(at: start + 3599) {
            remember(offset, for: hour, in: offsetByUTCHour)
        }
        return utc + offset
    }

    /// The UTC offset in force at instant `utc`, in seconds.
    private func offset(at utc: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utc))))
    }

    private func remember(_ offset: Int64, for hour: Int64, in cache: borrowing Mutex<[Int64: Int64]>) {
        cache.withLock { entries in
            if entries.count >= Self.cacheLimit { entries.removeAll() }
            entries[hour] = offset
        }
    }

    /// The hour a second falls in (rounding down, before 1970 too).
    private static func hour(of second: Int64) -> Int64 {
        second >= 0 ? second / 3600 : (second - 3599) / 3600
    }
}
