/// What a state must satisfy before a day is simulated from it: what the simulation itself always
/// writes. A hand-edited or damaged `merchants.json` that breaks a rule is refused with the first
/// broken rule, instead of crashing a run or writing ids that repeat.
extension SimulationState {
    /// The scales a state may hold: above 0, at most 10,000 (the command line asks for at least 0.02).
    public static let scaleRange = 0.0...10_000.0

    /// The first rule the state breaks, as a phrase; nil when it keeps them all.
    public var problem: String? {
        guard scale.isFinite, scale > Self.scaleRange.lowerBound, scale <= Self.scaleRange.upperBound else {
            return "scale \(scale) is not above 0 and at most 10000"
        }
        if let problem = datesProblem ?? countersProblem { return problem }
        for (position, merchant) in merchants.enumerated() {
            if let problem = merchant.problem(expectedNumber: position + 1, lastDay: lastGeneratedDate ?? partialDay?.date) {
                return "merchant \(Merchant.id(number: merchant.number)): \(problem)"
            }
        }
        return storedCardsProblem ?? pendingRefundsProblem ?? pendingDisputesProblem
    }

    private var datesProblem: String? {
        if let last = lastGeneratedDate {
            guard let first = firstDate, first <= last else { return "first_generated_date is missing or after last_generated_date" }
        }
        if let partial = partialDay {
            if let next = nextDay, partial.date != next {
                return "partial_day \(partial.date) is not the day after last_generated_date \(lastGeneratedDate!)"
            }
            guard partial.merchantEvents >= 0, partial.transactions >= 0, partial.authorizations >= 0, partial.refunds >= 0,
                  partial.disputes >= 0, partial.payouts >= 0 else {
                return "partial_day has negative counts"
            }
        }
        if let plan = monthPlan, !(0...monthlyGrowthCap).contains(plan.newMerchants) || !(0...monthlyChurnCap).contains(plan.churnedMerchants) {
            return "month_plan's counts are negative or above the monthly caps at scale \(scale)"
        }
        return nil
    }

    /// The most any counter may hold: far beyond any run, far below where adding to it could overflow.
    public static let counterLimit: Int64 = 1_000_000_000_000_000

    private var countersProblem: String? {
        guard totalTransactions >= 0 else { return "total_transactions \(totalTransactions) is negative" }
        guard cardCounter >= 0 else { return "card_counter \(cardCounter) is negative" }
        guard totalTransactions < Self.counterLimit, cardCounter < Self.counterLimit, Int64(merchantCounter) < Self.counterLimit else {
            return "a counter is above \(Self.counterLimit)"
        }
        guard merchantCounter == merchants.count else {
            return "merchant_counter \(merchantCounter) is not the number of merchants (\(merchants.count), numbered from M000001 without gaps)"
        }
        guard merchants.isEmpty == (lastGeneratedDate == nil) else {
            return lastGeneratedDate == nil ? "merchants exist before any day was generated" : "no merchant after a generated day"
        }
        return nil
    }

    private var storedCardsProblem: String? {
        guard storedCards.count <= storedCardCap else {
            return "card_profiles holds \(storedCards.count) cards, more than the \(storedCardCap) kept at scale \(scale)"
        }
        var previous: Int64 = 0
        for card in storedCards {
            guard card.number > previous, card.number <= cardCounter else {
                return "card \(CardProfile.id(number: card.number)) is repeated or above card_counter \(cardCounter)"
            }
            guard (100_000...999_999).contains(card.bin) else { return "card \(CardProfile.id(number: card.number)) has a BIN that is not 6 digits" }
            previous = card.number
        }
        return nil
    }
}

extension SimulationState {
    /// The first rule a pending refund breaks: only with the lifecycle; in time order; not before
    /// the next day; of a payment handed out, once; at least a day after it and within its amount;
    /// of a merchant and a card that exist.
    var pendingRefundsProblem: String? {
        guard lifecycle || pendingRefunds.isEmpty else { return "pending_refunds in a simulation without the lifecycle" }
        var payments = Set<Int64>()
        return followUpsProblem(pendingRefunds, "refund") { refund in
            guard payments.insert(refund.paymentNumber).inserted else { return "is repeated" }
            guard refund.cents >= 1, refund.cents <= refund.paymentCents else { return "is not from 0.01 to the payment's amount" }
            guard (1...Int32(clamping: merchantCounter)).contains(refund.merchantNumber), (1...cardCounter).contains(refund.cardNumber) else {
                return "names a merchant or card that does not exist"
            }
            return refund.time >= refund.paymentTime + 86_400 ? nil : "is less than a day after its payment"
        }
    }

    /// The first rule a pending dispute event breaks: only with the lifecycle; in time order; not
    /// before the next day; of a payment handed out, once per stage, and not of a payment with a
    /// pending refund; opened at least a day after the payment, closed after the opening and within
    /// 120 days of the payment; for the payment's amount; of a merchant and a card that exist; and
    /// a pending opening has its closing, the same dispute.
    var pendingDisputesProblem: String? {
        guard lifecycle || pendingDisputes.isEmpty else { return "pending_disputes in a simulation without the lifecycle" }
        let refunded = Set(pendingRefunds.map(\.paymentNumber))
        var closings: [Int64: DisputeEvent] = [:]
        for event in pendingDisputes where event.stage == .closed { closings[event.paymentNumber] = event }
        var stages = Set<[Int64]>()
        return followUpsProblem(pendingDisputes, "dispute event") { event in
            guard stages.insert([event.paymentNumber, Int64(event.stage.rawValue)]).inserted else { return "is repeated" }
            guard !refunded.contains(event.paymentNumber) else { return "is of a payment with a pending refund" }
            if event.stage == .opened {
                guard var closing = closings[event.paymentNumber] else { return "is an opening without its closing" }
                closing.stage = .opened
                closing.time = event.time
                guard closing == event else { return "is an opening unlike its closing" }
            }
            guard event.amountCents == event.paymentCents, event.feeCents >= 0 else { return "is not for the payment's amount" }
            guard (1...Int32(clamping: merchantCounter)).contains(event.merchantNumber), (1...cardCounter).contains(event.cardNumber) else {
                return "names a merchant or card that does not exist"
            }
            guard event.openedTime >= event.paymentTime + 86_400, event.time >= event.openedTime,
                  event.stage == .closed ? event.time > event.openedTime : event.time == event.openedTime,
                  event.time < event.paymentTime + Int64(DisputePolicy.latestDays) * 86_400 else {
                return "is not opened a day after its payment and closed after that, within \(DisputePolicy.latestDays) days"
            }
            return nil
        }
    }

    /// The first rule a list of pending follow-ups breaks (time order, not before the next day,
    /// of a payment handed out), or else the first that `problem` finds in one of them.
    private func followUpsProblem<Event: FollowUp>(_ events: [Event], _ noun: String, _ problem: (Event) -> String?) -> String? {
        let earliest = nextDay?.startSecond ?? .max
        for (index, event) in events.enumerated() {
            let named = "pending \(noun) of \(Transaction.id(number: event.paymentNumber))"
            guard index == 0 || Event.inOrder(events[index - 1], event) else { return "\(named) is out of time order" }
            guard event.time >= earliest else { return "\(named) falls before the next day to simulate" }
            guard (1...max(1, totalTransactions)).contains(event.paymentNumber) && event.paymentNumber <= totalTransactions else {
                return "\(named) is above total_transactions \(totalTransactions)"
            }
            if let problem = problem(event) { return "\(named) \(problem)" }
        }
        return nil
    }
}

extension Merchant {
    /// Terminals a merchant may have: the sizes' ranges lie within, and the terminal id has two digits for it.
    public static let terminalRange = 1...99

    /// The first rule this merchant breaks, as `number` of its state whose last simulated day is `lastDay`.
    func problem(expectedNumber: Int, lastDay: Day?) -> String? {
        guard number == expectedNumber else { return "merchant numbers must run from 1 without gaps" }
        guard !versions.isEmpty else { return "no version" }
        guard Self.terminalRange.contains(terminalCount) else { return "terminal_count \(terminalCount) is not from 1 to 99" }
        guard abs(latitudeE6) <= 90_000_000, abs(longitudeE6) <= 180_000_000 else { return "latitude or longitude out of range" }
        if let last = lastTransactionDate, let lastDay, last > lastDay { return "last_transaction_date is after the last generated day" }
        for (index, version) in versions.enumerated() {
            guard version.merchantId == Merchant.id(number: number) else { return "a version's merchant_id is \(version.merchantId)" }
            guard version.version == index + 1 else { return "versions must be numbered 1, 2, 3, … in order" }
            guard (0...10_000).contains(version.mdrRate) else { return "mdr_rate is not between 0 and 1" }
            guard version.creationDate <= version.effectiveDate, version.creationDate == versions[0].creationDate else {
                return "version \(version.version) has a creation_date after its effective_date or unlike the first version's"
            }
            if index > 0 && version.effectiveDate < versions[index - 1].effectiveDate { return "effective dates go backwards" }
            if let lastDay, version.effectiveDate > lastDay { return "version \(version.version) takes effect after the last generated day" }
            if version.status == .churned && index + 1 < versions.count { return "a churned version is not the last one" }
        }
        return nil
    }
}
