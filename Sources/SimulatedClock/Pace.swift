/// How fast simulated time runs against the wall clock.
public enum Pace: Equatable, Sendable, CustomStringConvertible {
    /// As fast as the machine allows: nothing waits.
    case max
    /// `factor` simulated seconds per wall second (1 = real time).
    case factor(Double)

    /// The factors accepted: from one simulated second per 100 wall seconds to a billion per second
    /// (beyond that nothing waits: use `max`).
    public static let factorRange = 0.01...1e9

    /// Parses `max`, `realtime` or a number of simulated seconds per wall second within `factorRange`.
    public init?(argument: String) {
        switch argument {
        case "max": self = .max
        case "realtime": self = .factor(1)
        default:
            guard let factor = Double(argument), Self.factorRange.contains(factor) else { return nil }
            self = .factor(factor)
        }
    }

    public var description: String {
        switch self {
        case .max: "max"
        case .factor(1): "realtime"
        case let .factor(factor): "x\(factor)"
        }
    }
}
