import Engine
import Records
import Foundation
import Simulation
import Testing

/// A day handed out in parts (`DaySource`) holds exactly the events of the whole day that
/// `Simulator.simulate` gives, however small the parts and the memory for drawn transactions, and
/// drawn on one thread or two; with the lifecycle, each refund and dispute event of the day goes
/// with the part whose stretch of time holds it.
@Suite struct DayPartsTests {
    /// Three days at scale 3 (about 25,000 transactions each): a Friday, a weekend day, a Sunday;
    /// with the lifecycle, the last two have refunds and disputes of the days before.
    let days = Period(start: Day(iso: "2024-03-01")!, end: Day(iso: "2024-03-03")!).days
    let start = SimulationState(seed: 11, scale: 3, lifecycle: true)

    func wholeDays() -> (days: [DayEvents], end: SimulationState) {
        var simulator = Simulator(state: start)
        return (days.map { simulator.simulate($0) }, simulator.state)
    }

    @Test(arguments: [
        DayPartLimits.standard, DayPartLimits(memoryBudget: 64 << 10, partSize: 1_000),
        DayPartLimits(memoryBudget: 64 << 10, partSize: 1_000, parallelDrawFrom: 0), DayPartLimits(memoryBudget: 1, partSize: 1, parallelDrawFrom: 0),
    ])
    func thePartsOfADayAreTheWholeDay(limits: DayPartLimits) throws {
        let folder = try ScratchFolder()
        let source = DaySource(simulator: Simulator(state: start), days: days, scratchFolder: folder.path, limits: limits)
        defer { source.cancel() }
        let (whole, end) = wholeDays()
        for expected in whole {
            let opened = try source.open(expected.day)
            #expect(opened.events.merchantEvents.map(\.version) == expected.merchantEvents.map(\.version))
            #expect(opened.events.transactions.isEmpty)
            #expect(opened.events.laterTransactionsFrom <= expected.transactions.first!.timestamp)
            #expect(opened.events.laterTransactionsFrom > expected.merchantEvents.last?.timestamp ?? .min)
            #expect(opened.events.refunds.allSatisfy { $0.time < opened.events.laterTransactionsFrom })
            var transactions: [Transaction] = []
            var refunds = opened.events.refunds
            var disputes = opened.events.disputes
            var payouts: [Payout] = []
            var parts = 0
            var firstOfNext = opened.events.laterTransactionsFrom
            while let part = try source.nextPart() {
                parts += 1
                #expect(part.merchantEvents.isEmpty)
                #expect(part.earlier.transactions == transactions.count, "a part says where it starts in the day")
                #expect(part.earlier.authorizations == transactions.count, "and where its authorizations start")
                #expect(part.earlier.refunds == refunds.count && part.earlier.disputes == disputes.count && part.earlier.payouts == 0,
                        "and its refunds and dispute events")
                if parts > 1 && part.payouts.isEmpty {
                    #expect(part.transactions.first?.timestamp == firstOfNext, "the part before knew when this one starts")
                }
                #expect(part.refunds.allSatisfy { $0.time >= firstOfNext && $0.time < part.laterTransactionsFrom }
                            && part.disputes.allSatisfy { $0.time >= firstOfNext && $0.time < part.laterTransactionsFrom },
                        "a refund or dispute event goes with the part whose stretch of time holds it")
                firstOfNext = part.laterTransactionsFrom
                transactions += part.transactions
                #expect(payouts.isEmpty, "the payouts come in the day's last part")
                refunds += part.refunds
                disputes += part.disputes
                payouts += part.payouts
            }
            #expect(firstOfNext == .max)
            #expect(transactions == expected.transactions)
            #expect(refunds == expected.refunds && disputes == expected.disputes && payouts == expected.payouts && !payouts.isEmpty)
            #expect(source.closed?.totals.transactions == expected.transactions.count)
            // An authorization per transaction: as many of each.
            #expect(source.closed?.counts == PartialDay(date: expected.day, merchantEvents: expected.merchantEvents.count,
                                                        transactions: expected.transactions.count, authorizations: expected.transactions.count,
                                                        refunds: expected.refunds.count, disputes: expected.disputes.count,
                                                        payouts: expected.payouts.count))
            #expect(source.closed?.totals.declined == expected.transactions.filter { !$0.approved }.count)
            if limits.partSize < expected.transactions.count { #expect(parts > 1) }
        }
        #expect(source.closed?.after == end)
        #expect(whole.dropFirst().allSatisfy { !$0.refunds.isEmpty && !$0.disputes.isEmpty }, "the days after the first have refunds and disputes")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty, "the scratch file has no name")
    }

    @Test func aScratchFolderThatCannotBeWrittenIsAOneLineError() throws {
        let source = DaySource(simulator: Simulator(state: start), days: days, scratchFolder: "/nonexistent/folder",
                               limits: DayPartLimits(memoryBudget: 1, partSize: 1_000))
        _ = try source.open(days[0])
        let error = #expect(throws: (any Error).self) { _ = try source.nextPart() }
        #expect("\(error!)".hasPrefix("cannot create a scratch file in /nonexistent/folder: "))
        #expect(!"\(error!)".contains("\n"))
    }
}
