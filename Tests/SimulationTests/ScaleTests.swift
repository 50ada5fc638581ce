import Simulation
import Testing

@Suite struct ScaleTests {
    @Test func scaleMultipliesThePopulationAndKeepsPerMerchantBehaviour() {
        let doubled = simulate(from: "2024-01-01", days: 15, scale: 2)
        let initial = doubled.state.merchants.filter { $0.versions[0].creationDate == Day(iso: "2024-01-01")! }
        #expect(initial.count >= 1_000 && initial.count <= 1_003)
        let single = january2024.days.map(\.transactions.count).reduce(0, +)
        let double = doubled.days.map(\.transactions.count).reduce(0, +)
        #expect(abs(Double(double) / Double(single) - 2) < 0.1)
        #expect(doubled.state.storedCardCap == 2 * BusinessRules.storedCardCap)
        let perMerchant = Double(double) / Double(doubled.state.merchants.count)
        let perMerchantAtOne = Double(single) / Double(january2024.state.merchants.count)
        #expect(abs(perMerchant / perMerchantAtOne - 1) < 0.05)
    }
}
