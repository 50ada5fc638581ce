/// How fast simulated time runs against the wall clock.
public enum Pace: Equatable, Sendable, CustomStringConvertible {
    /// As fast as the machine allows: nothing waits.
    case max
    /// `factor` simulated seconds per wall second (1 = real time).
    case factor(Double)

    /// Parses `max`, `realtime` or a positive number of simulated seconds per wall second.
    public init?(argument: String) {
        switch argument {
        case "max": self = .max
        case "realtime": self = .factor(1)
        default:
            guard let factor = Double(argument), factor.isFinite, factor > 0 else { return nil }
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
