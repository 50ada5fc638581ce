/// A calendar day in the proleptic Gregorian calendar, counted from 1970-01-01.
///
/// The simulation keeps its own calendar arithmetic instead of `Foundation.Calendar` so that
/// it stays pure and fast; its text form is ISO 8601 (`YYYY-MM-DD`).
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01.
    public let ordinal: Int

    @inlinable
    public init(ordinal: Int) { self.ordinal = ordinal }

    /// The day that holds `second` (seconds since 1970-01-01T00:00:00).
    public init(containing second: Int64) {
        ordinal = Int(second >= 0 ? second / 86_400 : (second - 86_399) / 86_400)
    }

    /// The day with the given civil date; nil when it does not exist (e.g. 2023-02-29).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...Day.daysIn(year: year, month: month)).contains(day) else { return nil }
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        ordinal = era * 146_097 + dayOfEra - 719_468
    }

    /// Parses a strict `YYYY-MM-DD`; nil for anything else or for a date that does not exist.
    public init?(iso text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The civil (year, month, day) of this day.
    @inlinable
    public var civil: (year: Int, month: Int, day: Int) {
        // Howard Hinnant's civil_from_days.
        let z = ordinal + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// 0 = Sunday … 6 = Saturday.
    public var weekday: Int { ((ordinal % 7) + 11) % 7 }

    public var isWeekend: Bool { weekday == 0 || weekday == 6 }

    /// Number of days in this day's month.
    public var daysInMonth: Int { let c = civil; return Day.daysIn(year: c.year, month: c.month) }

    /// A number that identifies the month (year * 12 + month - 1).
    public var monthIndex: Int { let c = civil; return c.year * 12 + c.month - 1 }

    /// Seconds from 1970-01-01T00:00:00 to the start of this day.
    public var startSecond: Int64 { Int64(ordinal) * 86_400 }

    public func adding(days: Int) -> Day { Day(ordinal: ordinal + days) }

    /// The day as a label of a random stream: the ordinal's two's-complement bits, so that days
    /// before 1970 (negative ordinals) label streams too, and days from 1970 on keep their labels.
    @inlinable
    public var streamLabel: UInt64 { UInt64(bitPattern: Int64(ordinal)) }

    /// `YYYY-MM-DD`.
    public var description: String {
        let c = civil
        return String(zeroPadded: c.year, width: 4) + "-" + String(zeroPadded: c.month, width: 2) + "-"
            + String(zeroPadded: c.day, width: 2)
    }

    public static func < (lhs: Day, rhs: Day) -> Bool { lhs.ordinal < rhs.ordinal }

    public static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

extension Day: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let day = Day(iso: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a YYYY-MM-DD date: \(text)")
        }
        self = day
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension String {
    /// `value` (≥ 0) in decimal, left-padded with zeros to at least `width` digits.
    public init(zeroPadded value: Int, width: Int) {
        let digits = String(value)
        self = String(repeating: "0", count: Swift.max(0, width - digits.count)) + digits
    }
}
