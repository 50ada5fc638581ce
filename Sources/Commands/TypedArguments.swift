import ArgumentParser
import SimulatedClock
import Simulation

/// Arguments parsed once, by the parser, into the types the run uses.
extension Pace: ExpressibleByArgument {
    public var defaultValueDescription: String { description }
}

/// Errors of a typed argument, which the parser prints after the value it could not read.
struct ArgumentFormatError: Error, CustomStringConvertible {
    let description: String
}

enum ArgumentFormat {
    /// A strict `YYYY-MM-DD` date that exists.
    static func day(_ text: String) throws -> Day {
        guard let day = Day(iso: text) else { throw ArgumentFormatError(description: "'\(text)' is not a date of the form YYYY-MM-DD") }
        return day
    }

    /// An IANA time zone.
    static func timeZone(_ text: String) throws -> SimulatedTimeZone {
        guard let zone = SimulatedTimeZone(identifier: text) else {
            throw ArgumentFormatError(description: "'\(text)' is not an IANA time zone (e.g. America/New_York)")
        }
        return zone
    }

    /// A duration of simulated time in whole seconds: a number with `s`, `m`, `h` or `d` (`90s`, `2h`).
    static func duration(_ text: String) throws -> Int64 {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        guard let unit = text.last.flatMap({ units[$0] }), let amount = Int64(text.dropLast()), amount >= 0,
              amount <= Int64.max / unit else {
            throw ArgumentFormatError(description: "'\(text)' is not a duration: a whole number with s, m, h or d (90s, 15m, 2h, 1d)")
        }
        return amount * unit
    }
}

extension ArgumentFormat {
    /// A seed: a whole number from 0 to `UInt64.max`.
    static func seed(_ text: String) throws -> UInt64 {
        guard let seed = UInt64(text) else {
            throw ArgumentFormatError(description: "'\(text)' is not a seed: a whole number from 0 to \(UInt64.max)")
        }
        return seed
    }

    /// A finite decimal number (the option checks its range).
    static func number(_ text: String) throws -> Double {
        guard let number = Double(text), number.isFinite else { throw ArgumentFormatError(description: "'\(text)' is not a number") }
        return number
    }

    /// `max`, `realtime` or simulated seconds per wall second within `Pace.factorRange`.
    static func pace(_ text: String) throws -> Pace {
        guard let pace = Pace(argument: text) else {
            throw ArgumentFormatError(description: "'\(text)' is not a pace: max, realtime, or simulated seconds per wall second "
                + "from \(Pace.factorRange.lowerBound) to \(Int(Pace.factorRange.upperBound)) (3600: an hour a second)")
        }
        return pace
    }
}
