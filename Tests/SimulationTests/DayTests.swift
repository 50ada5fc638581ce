import Simulation
import Testing

@Suite struct DayTests {
    @Test func parsesAndFormatsISODates() {
        #expect(Day(iso: "2024-02-29")?.description == "2024-02-29")
        #expect(Day(iso: "1970-01-01")?.ordinal == 0)
        #expect(Day(iso: "2024-01-01")?.weekday == 1) // a Monday
    }

    @Test(arguments: ["2023-02-29", "2024-13-01", "2024-1-01", "2024-01-01x", "", "24-01-01", "2024/01/01", "2024-00-10"])
    func refusesMalformedOrImpossibleDates(_ text: String) {
        #expect(Day(iso: text) == nil)
    }

    @Test func roundTripsEveryDayOfFourCenturies() {
        for ordinal in stride(from: -200_000, to: 200_000, by: 37) {
            let day = Day(ordinal: ordinal)
            let civil = day.civil
            #expect(Day(year: civil.year, month: civil.month, day: civil.day) == day)
        }
    }

    @Test func knowsUSHolidaysAndSeasons() {
        let holidays = ["2024-01-01", "2024-01-15", "2024-02-19", "2024-05-27", "2024-06-19", "2024-07-04",
                        "2024-09-02", "2024-10-14", "2024-11-11", "2024-11-28", "2024-12-25"]
        for text in holidays { #expect(SeasonalCalendar.isFederalHoliday(Day(iso: text)!), "\(text)") }
        #expect(!SeasonalCalendar.isFederalHoliday(Day(iso: "2024-01-16")!))
        #expect(SeasonalCalendar.blackFriday(year: 2024) == Day(iso: "2024-11-29"))
        #expect(SeasonalCalendar.isHolidaySeason(Day(iso: "2024-12-10")!))
        #expect(!SeasonalCalendar.isHolidaySeason(Day(iso: "2024-11-27")!))
        #expect(BusinessRules.volumeFactor(on: Day(iso: "2024-07-10")!) == 1.2)
        #expect(BusinessRules.volumeFactor(on: Day(iso: "2024-07-13")!) == 1.2 * 0.7)
    }
}
