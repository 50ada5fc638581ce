import Simulation
import Testing

@Suite struct MerchantRuleTests {
    let state = january2024.state

    @Test func startsWithFiveHundredMerchantsInSpecShares() {
        let initial = state.merchants.filter { $0.versions[0].creationDate == Day(iso: "2024-01-01")! }
        #expect(initial.count >= 500)
        let sized = Dictionary(grouping: state.merchants.prefix(500), by: { $0.versions[0].size })
        #expect(abs(Double(sized[.small]?.count ?? 0) / 500 - 0.70) < 0.05)
        #expect(abs(Double(sized[.medium]?.count ?? 0) / 500 - 0.25) < 0.05)
        #expect(abs(Double(sized[.large]?.count ?? 0) / 500 - 0.05) < 0.03)
    }

    @Test func givesEveryMerchantSpecAttributes() {
        for merchant in state.merchants {
            let first = merchant.versions[0]
            #expect(first.merchantId == Merchant.id(number: merchant.number))
            #expect(first.merchantId.count == 7 && first.merchantId.hasPrefix("M"))
            #expect(first.email == "contact@\(first.merchantId.lowercased()).com")
            #expect(first.size.mdrRange.contains(first.mdrRate))
            #expect(first.phone.count == 12 && first.zipCode.count == 5)
            #expect(USCity.all.contains { $0.name == first.city && $0.state == first.state && $0.zipCodes.contains(first.zipCode) })
            for (index, version) in merchant.versions.enumerated() {
                #expect(version.version == index + 1)
                #expect(version.creationDate == first.creationDate)
            }
        }
    }

    @Test func versionsEveryChangeAndChurn() {
        let changed = state.merchants.filter { $0.versions.count > 1 }
        #expect(!changed.isEmpty)
        for merchant in changed {
            for (previous, next) in zip(merchant.versions, merchant.versions.dropFirst()) {
                #expect(next.effectiveDate >= previous.effectiveDate)
                if next.status == .active {
                    let differences = [previous.address != next.address, previous.phone != next.phone,
                                       previous.email != next.email, previous.name != next.name]
                    #expect(differences.contains(true), "\(next.merchantId) v\(next.version) changes nothing")
                }
            }
        }
    }

    @Test func capsMonthlyGrowthAndChurn() {
        // 1,000 merchants at scale 2, then the spec's caps (scale 1): 8 % and 3 % exceed 50 and 30.
        var simulator = Simulator(state: SimulationState(seed: 3, scale: 2))
        _ = simulator.simulate(Day(iso: "2024-01-31")!)
        var state = simulator.state
        state.scale = 1
        simulator = Simulator(state: state)
        var created = 0, churned = 0
        for offset in 1...29 {
            for event in simulator.simulate(Day(iso: "2024-01-31")!.adding(days: offset)).merchantEvents {
                if event.kind == .created { created += 1 }
                if event.kind == .churned { churned += 1 }
            }
        }
        #expect(created == BusinessRules.monthlyGrowthCap)
        #expect(churned == BusinessRules.monthlyChurnCap)
    }

    @Test func growsAndChurnsByTheMonthlyRatesBelowTheCaps() {
        let month = simulate(from: "2024-03-01", days: 31)
        let events = month.days.flatMap(\.merchantEvents)
        let arrivals = events.filter { $0.kind == .created && $0.version.merchantId > Merchant.id(number: 500) }
        #expect(arrivals.count == 40)                                // 8 % of 500
        #expect(events.filter { $0.kind == .churned }.count == 15)   // 3 % of 500
    }
}
