/// Turns (state, day) into that day's ordered events and the next state. Pure: no I/O, no
/// wall clock, no system randomness.
public struct Simulator: Sendable {
    public private(set) var state: SimulationState
    /// The open day's refunds and dispute events, in time order (`--lifecycle`): the pending ones
    /// that fall due on it.
    public private(set) var dueRefunds: [Refund] = []
    public private(set) var dueDisputes: [DisputeEvent] = []
    /// Refunds and dispute events decided by the open day's payments so far, in the order of their
    /// payments: they join the pending ones when the day closes.
    private var decidedRefunds: [Refund] = []
    private var decidedDisputes: [DisputeEvent] = []
    /// The open day's payouts so far (`--lifecycle`).
    private var ledger: PayoutLedger?
    /// The payouts of the day `close` ended, in merchant order (`--lifecycle`).
    public private(set) var closedPayouts: [Payout] = []

    public init(state: SimulationState) {
        self.state = state
    }

    /// Simulates `day`, which must be the state's next day (or any day for an empty state), whole:
    /// `open`, every transaction drawn and put in time order, `settle`, `close`. A run hands a day
    /// out in parts instead (`DayParts`), the same events in bounded memory.
    public mutating func simulate(_ day: Day) -> DayEvents {
        let merchantEvents = open(day)
        var drawn: [Transaction] = []
        transactionDraw(of: day).forEachMerchantDay { drawn.append(contentsOf: $0) }
        var transactions = TransactionGenerator.sortedBySecond(drawn, from: day.startSecond, seconds: 86_400)
        settle(&transactions, on: day)
        close(day)
        return DayEvents(day: day, merchantEvents: merchantEvents, transactions: transactions, refunds: dueRefunds, disputes: dueDisputes,
                         payouts: closedPayouts)
    }

    /// Starts `day`, which must be the state's next day (or any day for an empty state): onboards,
    /// churns, changes and adds merchants; returns those merchant events in time order. With the
    /// lifecycle, takes the refunds and dispute events that fall due on the day from the pending
    /// ones (`dueRefunds`, `dueDisputes`).
    public mutating func open(_ day: Day) -> [MerchantEvent] {
        precondition(state.nextDay == nil || state.nextDay == day, "days are simulated in order")
        let dayEnd = day.adding(days: 1).startSecond
        dueRefunds = state.pendingRefunds.takeFirst(before: dayEnd)
        dueDisputes = state.pendingDisputes.takeFirst(before: dayEnd)
        decidedRefunds = []
        decidedDisputes = []
        var merchantEvents: [MerchantEvent] = []
        if state.merchants.isEmpty {
            state.firstDate = day
            onboardInitialMerchants(on: day, into: &merchantEvents)
        }
        planMonth(of: day)
        runLifecycle(on: day, into: &merchantEvents)
        closedPayouts = []
        if state.lifecycle {
            var ledger = PayoutLedger(day: day, merchants: state.merchants.count)
            for refund in dueRefunds { ledger.add(refund) }
            for event in dueDisputes { ledger.add(event) }
            self.ledger = ledger
        }
        merchantEvents.sort { ($0.timestamp, $0.version.merchantId) < ($1.timestamp, $1.version.merchantId) }
        return merchantEvents
    }

    /// The first second of `day` that may have a transaction: every merchant event of the day is
    /// before it (they all happen before business hours), and no transaction is.
    public static func firstTransactionSecond(of day: Day) -> Int64 {
        day.startSecond + Int64(BusinessRules.firstBusinessHour * 3600)
    }

    /// The draw of the opened `day`'s transactions, from the merchants and stored cards as the day
    /// opened; call it before the day's first `settle`.
    public func transactionDraw(of day: Day) -> TransactionGenerator {
        TransactionGenerator(state: state, day: day)
    }

    /// Ends `day` once every one of its transactions is settled: the refunds and disputes its
    /// payments decided join the pending ones, and its payouts are made (`closedPayouts`).
    public mutating func close(_ day: Day) {
        state.lastGeneratedDate = day
        state.partialDay = nil
        closedPayouts = ledger?.all ?? []
        ledger = nil
        if !decidedRefunds.isEmpty {
            decidedRefunds.sort(by: Refund.inOrder)
            state.pendingRefunds = .merged(state.pendingRefunds[...], decidedRefunds)
            decidedRefunds = []
        }
        if !decidedDisputes.isEmpty {
            decidedDisputes.sort(by: DisputeEvent.inOrder)
            state.pendingDisputes = .merged(state.pendingDisputes[...], decidedDisputes)
            decidedDisputes = []
        }
    }
    private mutating func onboardInitialMerchants(on day: Day, into events: inout [MerchantEvent]) {
        var random = SimRandom(seed: state.seed, stream: RandomStream.initialMerchants.rawValue)
        let count = max(1, Int((Double(BusinessRules.initialMerchants) * state.scale).rounded()))
        for _ in 0..<count {
            let merchant = addMerchant(on: day, &random)
            events.append(MerchantEvent(kind: .created, timestamp: day.startSecond, version: merchant.current))
        }
    }

    private mutating func addMerchant(on day: Day, _ random: inout SimRandom) -> Merchant {
        state.merchantCounter += 1
        let merchant = MerchantFactory.make(number: state.merchantCounter, on: day, &random)
        state.merchants.append(merchant)
        return merchant
    }

    private mutating func planMonth(of day: Day) {
        guard state.monthPlan?.monthIndex != day.monthIndex else { return }
        let active = Double(state.activeMerchantCount)
        state.monthPlan = MonthPlan(
            monthIndex: day.monthIndex,
            newMerchants: min(state.monthlyGrowthCap, Int((active * BusinessRules.monthlyGrowthRate).rounded())),
            churnedMerchants: min(state.monthlyChurnCap, Int((active * BusinessRules.monthlyChurnRate).rounded()))
        )
    }

    /// Churns, attribute changes and new merchants of `day`, all before business hours.
    private mutating func runLifecycle(on day: Day, into events: inout [MerchantEvent]) {
        guard let plan = state.monthPlan else { return }
        var random = SimRandom(seed: state.seed, stream: RandomStream.lifecycle.rawValue, day.streamLabel)
        let dayOfMonth = day.civil.day
        let beforeOpening = Int64(BusinessRules.firstBusinessHour * 3600)
        func eventTime() -> Int64 { day.startSecond + Int64(random.below(Int(beforeOpening))) }

        // Merchants onboarded today are neither churned nor changed on their first day.
        let established = { (merchant: Merchant) in merchant.isActive && merchant.current.creationDate < day }
        var candidates = state.merchants.indices.filter { established(state.merchants[$0]) }
        let churns = MonthPlan.share(of: plan.churnedMerchants, dayOfMonth: dayOfMonth, daysInMonth: day.daysInMonth)
        var churned = Set<Int>()
        for _ in 0..<min(churns, candidates.count) {
            let index = candidates.remove(at: random.below(candidates.count))
            churned.insert(index)
        }
        // Visit merchants in id order so that the draws do not depend on Set order.
        for index in state.merchants.indices where established(state.merchants[index]) {
            let merchant = state.merchants[index]
            if churned.contains(index) {
                record(.churned, MerchantFactory.churnedVersion(of: merchant, on: day), at: eventTime(), index, &events)
            } else if random.chance(BusinessRules.dailyAttributeChangeChance) {
                let version = MerchantFactory.changedVersion(of: merchant, on: day, &random)
                record(.updated, version, at: eventTime(), index, &events)
            }
        }
        let arrivals = MonthPlan.share(of: plan.newMerchants, dayOfMonth: dayOfMonth, daysInMonth: day.daysInMonth)
        for _ in 0..<arrivals {
            let merchant = addMerchant(on: day, &random)
            events.append(MerchantEvent(kind: .created, timestamp: eventTime(), version: merchant.current))
        }
    }

    private mutating func record(
        _ kind: MerchantEvent.Kind, _ version: MerchantVersion, at time: Int64, _ index: Int,
        _ events: inout [MerchantEvent]
    ) {
        state.merchants[index].versions.append(version)
        events.append(MerchantEvent(
            kind: kind, timestamp: time, version: version,
            lastTransactionDate: state.merchants[index].lastTransactionDate
        ))
    }

    /// Hands out payment and card numbers in time order, keeps the cards that are stored,
    /// records each merchant's last transaction date and, with the lifecycle, decides which
    /// payments will be refunded or disputed: `transactions` are the opened day's next ones in time order,
    /// after those of the earlier calls.
    public mutating func settle(_ transactions: inout [Transaction], on day: Day) {
        let cap = state.storedCardCap
        var newlyStored: [CardProfile] = []
        for position in transactions.indices {
            state.totalTransactions += 1
            transactions[position].paymentNumber = state.totalTransactions
            if transactions[position].isNewCard {
                state.cardCounter += 1
                transactions[position].card.number = state.cardCounter
                if transactions[position].storesCard { newlyStored.append(transactions[position].card) }
            }
            // Merchant numbers are handed out 1, 2, 3, … and merchants are never removed.
            state.merchants[Int(transactions[position].merchantNumber) - 1].lastTransactionDate = day
        }
        // Keeping the last `cap` after each part keeps the same cards as keeping them after the
        // whole day, and the day's draw took its reused cards from the pool as the day opened.
        state.storedCards.append(contentsOf: newlyStored)
        if state.storedCards.count > cap { state.storedCards.removeFirst(state.storedCards.count - cap) }
        if state.lifecycle {
            let seed = state.seed, scenario = state.scenario
            for transaction in transactions where transaction.approved {
                ledger?.add(transaction)
                let refund = RefundPolicy.refund(of: transaction, seed: seed, rates: scenario.refunds)
                if let refund { decidedRefunds.append(refund) }
                if let dispute = DisputePolicy.dispute(of: transaction, refunded: refund != nil, seed: seed, rates: scenario.disputes) {
                    decidedDisputes += [dispute.opened, dispute.closed]
                }
            }
        }
    }
}
