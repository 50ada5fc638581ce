import SimulatedClock
import Simulation
import Testing

/// The decisions of late and duplicate delivery: a pure function of the seed and the event's
/// place, bounded delays spread evenly over the doublings, and fractions that only add events.
@Suite struct DeliveryPlanTests {
    let day = Day(iso: "2024-01-15")!

    func plan(late: Double = 0.1, max: Int64 = 7_200, duplicates: Double = 0.02, seed: UInt64 = 42) -> DeliveryPlan {
        DeliveryPlan(settings: DisorderSettings(lateFraction: late, maxLatenessSeconds: max, duplicateFraction: duplicates), seed: seed, zone: .utc)
    }

    @Test func theSameEventDecidesAlikeAndAnotherSeedDoesNot() {
        let decisions = (0..<2_000).map { plan().decide(day: day, index: $0) }
        #expect(decisions == (0..<2_000).map { plan().decide(day: day, index: $0) })
        #expect(decisions != (0..<2_000).map { plan(seed: 43).decide(day: day, index: $0) })
        #expect(decisions != (0..<2_000).map { plan().decide(day: day.adding(days: 1), index: $0) })
    }

    @Test func raisingAFractionOnlyAddsEventsToItsKind() {
        let indices = 0..<20_000
        let lateAtFive = Set(indices.filter { plan(late: 0.05).decide(day: day, index: $0).isLate })
        let lateAtTen = Set(indices.filter { plan(late: 0.1).decide(day: day, index: $0).isLate })
        #expect(lateAtFive.isSubset(of: lateAtTen) && lateAtFive.count < lateAtTen.count)
        let duplicated = indices.filter { plan(late: 0.05).decide(day: day, index: $0).retryDelay != nil }
        #expect(duplicated == indices.filter { plan(late: 0.5).decide(day: day, index: $0).retryDelay != nil })
        for index in lateAtFive {
            #expect(plan(late: 0.05).decide(day: day, index: index).lateness == plan(late: 0.1).decide(day: day, index: index).lateness)
        }
    }

    @Test func delaysStayWithinTheirBoundsAndFillEveryDoubling() {
        for max: Int64 in [1, 2, 3, 90, 7_200, DisorderSettings.maxLatenessLimit] {
            let delays = (0..<5_000).map { plan(late: 1, max: max).decide(day: day, index: $0).lateness }
            #expect(delays.allSatisfy { (1...max).contains($0) }, "max \(max)")
        }
        // max 7: the doublings 1, 2-3 and 4-7 each take a third of the delays, every second of them used.
        let delays = (0..<30_000).map { plan(late: 1, max: 7).decide(day: day, index: $0).lateness }
        for (octave, range) in [(0, 1...1), (1, 2...3), (2, 4...7)] {
            let share = Double(delays.filter { range.contains(Int($0)) }.count) / Double(delays.count)
            #expect(abs(share - 1.0 / 3) < 0.015, "octave \(octave): \(share)")
        }
        #expect(Set(delays) == Set(1...7))
        let retries = (0..<5_000).compactMap { plan(duplicates: 1).decide(day: day, index: $0).retryDelay }
        #expect(retries.count == 5_000 && Set(retries) == Set(1...DisorderSettings.retryWindowSeconds))
    }

    /// Across a change of offset, a delay is elapsed time and a delivery lands on a real local time:
    /// New York's days of 2024 whose clocks go forward and back, every transaction late by up to 7 h.
    @Test(arguments: ["2024-03-09", "2024-03-10", "2024-11-02", "2024-11-03"])
    func delaysAreElapsedTimeAcrossDaylightSavingChanges(dayText: String) throws {
        let zone = SimulatedTimeZone(identifier: "America/New_York")!
        let day = Day(iso: dayText)!
        let late = DeliveryPlan(settings: DisorderSettings(lateFraction: 1, maxLatenessSeconds: 7 * 3_600, duplicateFraction: 1), seed: 42, zone: zone)
        let events = simulate(seed: 42, from: dayText, days: 1).days[0]
        for (index, transaction) in events.transactions.enumerated() {
            let decision = late.decide(day: day, index: index)
            let at = late.deliveredAt(eventTime: transaction.timestamp, decision)
            let eventInstant = zone.utcSecond(ofLocal: transaction.timestamp)
            // A real local time: reading it back gives an instant whose local time it is.
            #expect(zone.localSecond(ofUTC: zone.utcSecond(ofLocal: at.first)) == at.first, "\(index): \(at.first) is not a local time")
            // Elapsed: the instant of the delivery is the event's instant plus the delay (the first
            // or second pass of a repeated hour, whichever it is).
            let instants = [zone.utcSecond(ofLocal: at.first), zone.utcSecond(ofLocal: at.first) + 3_600]
            #expect(instants.contains(eventInstant + decision.lateness), "\(index): delay \(decision.lateness) s")
            // The retry too, unless it ends in the second pass of a repeated hour at a local time
            // before its first delivery's: then it is made with its first delivery.
            let retry = try #require(decision.retryDelay)
            let second = try #require(at.second)
            let retried = eventInstant + decision.lateness + retry
            if zone.localSecond(ofUTC: retried) < at.first {
                #expect(second == at.first)
            } else {
                #expect([zone.utcSecond(ofLocal: second), zone.utcSecond(ofLocal: second) + 3_600].contains(retried))
            }
        }
    }

    @Test func settingsOutsideTheirRangesAreNamed() {
        #expect(DisorderSettings(lateFraction: 1.5).problem?.contains("--late-fraction") == true)
        #expect(DisorderSettings(duplicateFraction: .nan).problem?.contains("--duplicate-fraction") == true)
        #expect(DisorderSettings(lateFraction: 0.1, maxLatenessSeconds: 0).problem?.contains("--max-lateness") == true)
        #expect(DisorderSettings(lateFraction: 0.1, maxLatenessSeconds: 8 * 86_400).problem?.contains("--max-lateness") == true)
        #expect(DisorderSettings().isOff && DisorderSettings().problem == nil)
    }
}
