/// US federal holidays and the seasons that move transaction volume.
///
/// Holiday boost (x1.5): every day from Black Friday (the day after Thanksgiving) to
/// December 31, and every US federal holiday (observed on its calendar date). Summer boost
/// (x1.2): June 1 to August 31. Weekends (Saturday, Sunday) reduce volume.
public enum SeasonalCalendar {
    /// True on a US federal holiday's calendar date.
    public static func isFederalHoliday(_ day: Day) -> Bool {
        let (year, month, dom) = day.civil
        switch (month, dom) {
        case (1, 1), (6, 19), (7, 4), (11, 11), (12, 25): return true
        default: break
        }
        func nthWeekday(_ n: Int, _ weekday: Int, _ m: Int) -> Int {
            let first = Day(year: year, month: m, day: 1)!.weekday
            return 1 + (weekday - first + 7) % 7 + (n - 1) * 7
        }
        switch month {
        case 1: return dom == nthWeekday(3, 1, 1)              // Martin Luther King Jr. Day
        case 2: return dom == nthWeekday(3, 1, 2)              // Presidents' Day
        case 5: return dom == lastMonday(year: year, month: 5) // Memorial Day
        case 9: return dom == nthWeekday(1, 1, 9)              // Labor Day
        case 10: return dom == nthWeekday(2, 1, 10)            // Columbus Day
        case 11: return dom == nthWeekday(4, 4, 11)            // Thanksgiving
        default: return false
        }
    }

    /// Black Friday of the day's year.
    public static func blackFriday(year: Int) -> Day {
        let first = Day(year: year, month: 11, day: 1)!
        let thanksgiving = 1 + (4 - first.weekday + 7) % 7 + 21
        return Day(year: year, month: 11, day: thanksgiving + 1)!
    }

    /// True in the holiday shopping season or on a federal holiday.
    public static func isHolidaySeason(_ day: Day) -> Bool {
        let year = day.civil.year
        return day >= blackFriday(year: year) || isFederalHoliday(day)
    }

    /// True from June 1 to August 31.
    public static func isSummer(_ day: Day) -> Bool {
        (6...8).contains(day.civil.month)
    }

    private static func lastMonday(year: Int, month: Int) -> Int {
        let last = Day.daysIn(year: year, month: month)
        let weekday = Day(year: year, month: month, day: last)!.weekday
        return last - (weekday - 1 + 7) % 7
    }
}
