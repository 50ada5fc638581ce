import Engine
import Foundation

/// `REPLAY_DAY_PARTS=<bytes>,<transactions>`: the run holds at most that many bytes of a day's
/// drawn transactions in memory (the rest goes to its scratch file), hands the day out in parts
/// of about that many transactions and draws every day on two threads, so that a test at a small
/// scale goes through the paths a large day takes.
enum SmallDayParts {
    /// nil when the variable is unset; a one-line error when it is malformed.
    static func fromEnvironment() throws -> DayPartLimits? {
        guard let text = ProcessInfo.processInfo.environment["REPLAY_DAY_PARTS"], !text.isEmpty else { return nil }
        let numbers = text.split(separator: ",").compactMap { Int($0) }
        guard numbers.count == 2, numbers.allSatisfy({ $0 > 0 }) else {
            throw UserError("REPLAY_DAY_PARTS '\(text)' is not <bytes>,<transactions> (two positive numbers)")
        }
        return DayPartLimits(memoryBudget: numbers[0], partSize: numbers[1], parallelDrawFrom: 0)
    }
}
