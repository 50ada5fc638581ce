import Foundation

/// The zone whose wall-clock time the simulation runs on. Simulated seconds count that zone's
/// wall-clock time as if it were UTC (which is what the CSV timestamps show); `utcSecond(ofLocal:)`
/// turns one into the true instant, e.g. for Kafka timestamps.
public final class SimulatedTimeZone: @unchecked Sendable {
    public let identifier: String
    private let zone: TimeZone
    /// UTC offset by local hour (local seconds / 3600), filled as hours are met.
    private var offsetByHour: [Int64: Int64] = [:]
    private let lock = NSLock()

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

    /// The UTC second of a local wall-clock second (in a DST overlap, the first of the two).
    public func utcSecond(ofLocal local: Int64) -> Int64 {
        let hour = local >= 0 ? local / 3600 : (local - 3599) / 3600
        let offset = lock.withLock { () -> Int64 in
            if let known = offsetByHour[hour] { return known }
            // The offset in force at the instant this local hour starts, found from a first guess.
            let guess = Date(timeIntervalSince1970: Double(hour * 3600))
            let firstOffset = Int64(zone.secondsFromGMT(for: guess))
            let instant = Date(timeIntervalSince1970: Double(hour * 3600 - firstOffset))
            let offset = Int64(zone.secondsFromGMT(for: instant))
            offsetByHour[hour] = offset
            if offsetByHour.count > 100_000 { offsetByHour.removeAll() }
            return offset
        }
        return local - offset
    }
}
