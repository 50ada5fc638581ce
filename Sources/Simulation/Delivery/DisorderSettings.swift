/// How far a run's delivery departs from event-time order: the `--late-fraction`,
/// `--max-lateness` and `--duplicate-fraction` options. Off by default (`isOff`): every
/// transaction is then delivered once, at its event time.
public struct DisorderSettings: Equatable, Decodable, Sendable, CustomStringConvertible {
    /// Share of transactions delivered late, in [0, 1].
    public var lateFraction: Double
    /// The longest delay of a late delivery, in seconds (at least 1).
    public var maxLatenessSeconds: Int64
    /// Share of transactions delivered a second time, in [0, 1].
    public var duplicateFraction: Double

    /// The longest lateness accepted: a week of simulated time.
    public static let maxLatenessLimit: Int64 = 7 * 86_400
    /// A duplicate follows its first delivery after 1 to this many seconds (an upstream retry).
    public static let retryWindowSeconds: Int64 = 30

    public init(lateFraction: Double = 0, maxLatenessSeconds: Int64 = 3_600, duplicateFraction: Double = 0) {
        self.lateFraction = lateFraction
        self.maxLatenessSeconds = maxLatenessSeconds
        self.duplicateFraction = duplicateFraction
    }

    /// True when every transaction is delivered once, in order.
    public var isOff: Bool { lateFraction == 0 && duplicateFraction == 0 }

    /// Why these settings cannot run, as one line; nil when they can.
    public var problem: String? {
        for (name, value) in [("--late-fraction", lateFraction), ("--duplicate-fraction", duplicateFraction)]
        where !(value.isFinite && value >= 0 && value <= 1) {
            return "\(name) must be a share between 0 and 1, got \(value)"
        }
        if !(1...Self.maxLatenessLimit).contains(maxLatenessSeconds) {
            return "--max-lateness must be between 1s and 7d, got \(maxLatenessSeconds) seconds"
        }
        return nil
    }

    /// `late 0.05 up to 7200s, duplicates 0.01`: for messages, `--check-config` and the run's id.
    public var description: String {
        "late \(lateFraction) up to \(maxLatenessSeconds)s, duplicates \(duplicateFraction)"
    }

    enum CodingKeys: String, CodingKey {
        case lateFraction = "late_fraction"
        case maxLatenessSeconds = "max_lateness_seconds"
        case duplicateFraction = "duplicate_fraction"
    }
}
