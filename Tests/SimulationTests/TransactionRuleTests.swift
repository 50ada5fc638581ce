import Simulation
import Testing

@Suite struct TransactionRuleTests {
    let days = january2024.days
    let state = january2024.state
    var all: [Transaction] { days.flatMap(\.transactions) }

    func size(of transaction: Transaction) -> SizeCategory {
        state.merchants[Int(transaction.merchantNumber) - 1].versions[0].size
    }

    @Test func defaultRunIsCalibratedToTheSpecVolume() {
        #expect((100_000...300_000).contains(all.count))
    }

    @Test func keepsAmountsCountsAndHoursInTheirRanges() {
        for day in days {
            var perMerchant: [Int32: Int] = [:]
            let factor = BusinessRules.volumeFactor(on: day.day)
            for t in day.transactions {
                let size = size(of: t)
                #expect(size.amountCents.contains(Int(t.amountCents)))
                let hour = Int(t.timestamp - day.day.startSecond) / 3600
                #expect((8...21).contains(hour))
                perMerchant[t.merchantNumber, default: 0] += 1
            }
            for (merchant, count) in perMerchant {
                let range = state.merchants[Int(merchant) - 1].versions[0].size.dailyTransactions
                #expect(count <= Int((Double(range.upperBound) * factor).rounded(.up)))
            }
        }
    }

    @Test func leavesSomeMerchantsIdleEachDay() {
        for day in days {
            let active = Set(day.transactions.map(\.merchantNumber)).count
            #expect(active < state.merchants.count && Double(active) > 0.8 * 500)
        }
    }

    @Test func peaksAtLunchAndAfterWork() {
        var perHour = [Int](repeating: 0, count: 24)
        for t in all { perHour[Int(t.timestamp % 86_400) / 3600] += 1 }
        #expect(perHour[12] > 2 * perHour[8] && perHour[18] > 2 * perHour[21])
        #expect(perHour[0..<8].allSatisfy { $0 == 0 } && perHour[22...].allSatisfy { $0 == 0 })
    }

    @Test func reducesWeekendsAndBoostsHolidays() {
        func mean(_ predicate: (Day) -> Bool) -> Double {
            let chosen = days.filter { predicate($0.day) }
            return Double(chosen.map(\.transactions.count).reduce(0, +)) / Double(chosen.count)
        }
        let plainWeekday = mean { !$0.isWeekend && !SeasonalCalendar.isFederalHoliday($0) }
        let weekend = mean(\.isWeekend)
        let holiday = mean { !$0.isWeekend && SeasonalCalendar.isFederalHoliday($0) }
        #expect(abs(weekend / plainWeekday - 0.7) < 0.06)
        #expect(abs(holiday / plainWeekday - 1.5) < 0.12)
    }

    @Test func boostsSummer() {
        let may = simulate(from: "2024-05-20", days: 21)
        func weekdayMean(_ range: ClosedRange<String>) -> Double {
            let chosen = may.days.filter { range.contains($0.day.description) && !$0.day.isWeekend && !SeasonalCalendar.isFederalHoliday($0.day) }
            return Double(chosen.map(\.transactions.count).reduce(0, +)) / Double(chosen.count)
        }
        #expect(abs(weekdayMean("2024-06-01"..."2024-06-09") / weekdayMean("2024-05-20"..."2024-05-31") - 1.2) < 0.08)
    }

    @Test func reusesStoredCardsOnFiveToFifteenPercent() {
        for day in days.dropFirst(2) {
            let reused = day.transactions.filter { !$0.isNewCard }.count
            let share = Double(reused) / Double(day.transactions.count)
            #expect((0.04...0.16).contains(share), "\(day.day): \(share)")
        }
        let newCards = all.filter(\.isNewCard)
        let storedShare = Double(newCards.filter(\.storesCard).count) / Double(newCards.count)
        #expect(abs(storedShare - 0.01) < 0.002)
        #expect(state.storedCards.count <= state.storedCardCap)
    }

    @Test func numbersPaymentsAndNewCardsUniquelyInTimeOrder() {
        var previous: Transaction?
        var newCards = Set<Int64>()
        for t in all {
            if let previous {
                #expect(t.paymentNumber == previous.paymentNumber + 1)
                #expect(t.timestamp >= previous.timestamp)
            }
            if t.isNewCard { #expect(newCards.insert(t.card.number).inserted) }
            previous = t
        }
        #expect(state.totalTransactions == Int64(all.count))
    }

    @Test func computesFeesInCentsConsistently() {
        for t in all {
            let expectedMDR = t.approved ? (Int(t.amountCents) * Int(t.mdrRate) + 5_000) / 10_000 : 0
            #expect(t.mdrCents == expectedMDR)
            #expect(t.netProfitCents == t.mdrCents - t.costCents)
            #expect([180, 50, 120].contains(t.costRate))
        }
        let declined = Double(all.filter { !$0.approved }.count) / Double(all.count)
        #expect(abs(declined - BusinessRules.declineChance) < 0.005)
    }

    @Test func drawsBinsOfTheCardsBrand() {
        for t in all {
            let bin = Int(t.card.bin)
            switch t.card.brand {
            case .visa: #expect(bin / 100_000 == 4)
            case .mastercard: #expect((510_000..<560_000).contains(bin) || (222_100..<272_100).contains(bin))
            case .amex: #expect(bin / 10_000 == 34 || bin / 10_000 == 37)
            case .discover: #expect(bin / 100 == 6011 || bin / 10_000 == 65)
            }
            if t.card.brand == .amex { #expect(t.card.issuerName == "American Express" && t.card.type == .credit) }
        }
    }

    @Test func createsMerchantsBeforeTheirFirstTransactionAndStopsChurnedOnes() {
        var createdAt: [String: Int64] = [:]
        var churnedOn: [String: Day] = [:]
        for day in days {
            for event in day.merchantEvents {
                if event.kind == .created { createdAt[event.version.merchantId] = event.timestamp }
                if event.kind == .churned { churnedOn[event.version.merchantId] = day.day }
            }
            for t in day.transactions {
                let id = Merchant.id(number: Int(t.merchantNumber))
                #expect(createdAt[id].map { $0 < t.timestamp } == true)
                #expect(churnedOn[id] == nil)
            }
        }
        #expect(!churnedOn.isEmpty)
    }
}
