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
}
