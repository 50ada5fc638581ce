import Simulation
import Testing

/// The decisions of late and duplicate delivery: a pure function of the seed and the event's
/// place, bounded delays spread evenly over the doublings, and fractions that only add events.
@Suite struct DeliveryPlanTests {
    let day = Day(iso: "2024-01-15")!

    func plan(late: Double = 0.1, max: Int64 = 7_200, duplicates: Double = 0.02, seed: UInt64 = 42) -> DeliveryPlan {
        DeliveryPlan(settings: DisorderSettings(lateFraction: late, maxLatenessSeconds: max, duplicateFraction: duplicates), seed: seed)
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

    @Test func settingsOutsideTheirRangesAreNamed() {
        #expect(DisorderSettings(lateFraction: 1.5).problem?.contains("--late-fraction") == true)
        #expect(DisorderSettings(duplicateFraction: .nan).problem?.contains("--duplicate-fraction") == true)
        #expect(DisorderSettings(lateFraction: 0.1, maxLatenessSeconds: 0).problem?.contains("--max-lateness") == true)
        #expect(DisorderSettings(lateFraction: 0.1, maxLatenessSeconds: 8 * 86_400).problem?.contains("--max-lateness") == true)
        #expect(DisorderSettings().isOff && DisorderSettings().problem == nil)
    }
}
