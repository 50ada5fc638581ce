import Foundation
import Simulation
import Testing

@Suite struct DeterminismTests {
    @Test func sameSeedGivesTheSameEventsAndAnotherSeedDoesNot() {
        let again = simulate(from: "2024-01-01", days: 15)
        #expect(again.state == january2024.state)
        #expect(zip(again.days, january2024.days).allSatisfy { $0.transactions.map(\.paymentNumber) == $1.transactions.map(\.paymentNumber)
            && $0.transactions.map(\.amountCents) == $1.transactions.map(\.amountCents) })
        let other = simulate(seed: 8, from: "2024-01-01", days: 1)
        #expect(other.days[0].transactions.map(\.amountCents) != january2024.days[0].transactions.map(\.amountCents))
    }

    @Test func stateSurvivesJSONAndResumesExactly() throws {
        var simulator = Simulator(state: SimulationState(seed: 7))
        for offset in 0..<10 { _ = simulator.simulate(Day(iso: "2024-01-01")!.adding(days: offset)) }
        let data = try JSONEncoder().encode(simulator.state)
        let decoded = try JSONDecoder().decode(SimulationState.self, from: data)
        #expect(decoded == simulator.state)
        var resumed = Simulator(state: decoded)
        for offset in 10..<15 {
            let day = Day(iso: "2024-01-01")!.adding(days: offset)
            let events = resumed.simulate(day)
            #expect(events.transactions.map(\.card.number) == january2024.days[offset].transactions.map(\.card.number))
            #expect(events.transactions.map(\.timestamp) == january2024.days[offset].transactions.map(\.timestamp))
        }
        #expect(resumed.state == january2024.state)
    }

    /// The calendar does not stop at 1970: days before it (negative ordinals) simulate like any
    /// other, from year 1 on, and a state saved before 1970 resumes across it exactly.
    @Test(arguments: ["1969-12-29", "0001-01-01", "1583-10-10"])
    func daysBefore1970SimulateAndResumeExactly(start: String) throws {
        let oneShot = simulate(from: start, days: 6)
        for events in oneShot.days {
            #expect(!events.transactions.isEmpty)
            #expect(events.transactions.allSatisfy { $0.timestamp >= events.day.startSecond && $0.timestamp < events.day.adding(days: 1).startSecond })
            #expect(zip(events.transactions, events.transactions.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
        }
        let firstHalf = simulate(from: start, days: 3)
        let decoded = try JSONDecoder().decode(SimulationState.self, from: JSONEncoder().encode(firstHalf.state))
        #expect(decoded.problem == nil)
        var resumed = Simulator(state: decoded)
        for offset in 3..<6 {
            let events = resumed.simulate(Day(iso: start)!.adding(days: offset))
            #expect(events.transactions.map(\.paymentNumber) == oneShot.days[offset].transactions.map(\.paymentNumber))
            #expect(events.transactions.map(\.amountCents) == oneShot.days[offset].transactions.map(\.amountCents))
        }
        #expect(resumed.state == oneShot.state)
    }
}
