import Simulation

/// What changed from one committed checkpoint to the next: a journal entry (see `StateJournal`).
///
/// Within a day a checkpoint changes the partial day and the run's record; a day's end changes
/// the counters and dates, the `last_transaction_date` of the merchants that transacted (most of
/// them: kept as runs of merchant numbers per date), a few merchants whose versions changed or
/// that joined (kept whole), the stored cards, a list by card number from which the oldest
/// are dropped and to which new ones are appended, and the pending refunds (`--lifecycle`), a list
/// in time order from which the day's are taken at the front and into which the refunds its
/// payments decided are merged.
struct CheckpointChange {
    /// The new state's own fields, with only the merchants kept whole, the cards appended and the
    /// refunds merged in.
    var state: SimulationState
    /// Stored cards dropped from the front of the list.
    var cardsDropped: Int
    /// Pending refunds and dispute events taken from the front of their lists (they fell due).
    var refundsDue: Int
    var disputesDue: Int
    /// Per date, the merchants whose `last_transaction_date` became that date (and nothing else changed).
    var transacted: [TransactedMerchants]
    var run: RunChange

    /// Merchants whose last transaction became `date`: runs of merchant numbers.
    struct TransactedMerchants {
        var date: Day
        var numbers: [ClosedRange<Int>]
    }

    /// The unfinished run's record: as it was, gone (the run completed), or this one.
    enum RunChange: Equatable {
        case unchanged
        case removed
        case set(RunRecord)
    }

    /// What changed from `old` to `new`; nil when the change cannot be told this way (a merchant
    /// gone, cards that are not the old ones less some oldest plus newer ones): the checkpoint is
    /// then written whole.
    init?(from old: Checkpoint, to new: Checkpoint) {
        guard let (whole, transacted) = Self.merchantChanges(from: old.state.merchants, to: new.state.merchants),
              let (dropped, appended) = Self.cardChanges(from: old.state.storedCards, to: new.state.storedCards),
              let (due, decided) = [Refund].change(from: old.state.pendingRefunds, to: new.state.pendingRefunds,
                                                   oldPayments: old.state.totalTransactions),
              let (disputesDue, disputes) = [DisputeEvent].change(from: old.state.pendingDisputes, to: new.state.pendingDisputes,
                                                                  oldPayments: old.state.totalTransactions) else { return nil }
        state = new.state
        state.merchants = whole
        state.storedCards = appended
        state.pendingRefunds = decided
        state.pendingDisputes = disputes
        cardsDropped = dropped
        refundsDue = due
        self.disputesDue = disputesDue
        self.transacted = transacted
        run = old.unfinishedRun == new.unfinishedRun ? .unchanged : new.unfinishedRun.map(RunChange.set) ?? .removed
    }

    /// True when applying it changes nothing in `old`, the checkpoint it was told from.
    func changesNothing(in old: Checkpoint) -> Bool {
        var unchanged = old.state
        unchanged.merchants = []
        unchanged.storedCards = []
        unchanged.pendingRefunds = []
        unchanged.pendingDisputes = []
        return state == unchanged && cardsDropped == 0 && refundsDue == 0 && disputesDue == 0 && transacted.isEmpty && run == .unchanged
    }

    /// `checkpoint` with the change applied; a one-line reason when it does not fit it.
    func applied(to checkpoint: Checkpoint) throws(StateJournal.Damage) -> Checkpoint {
        var merchants = checkpoint.state.merchants
        for group in transacted {
            for numbers in group.numbers {
                guard numbers.lowerBound >= 1, numbers.upperBound <= merchants.count else {
                    throw StateJournal.Damage(reason: "merchants \(numbers) transacted, but there are \(merchants.count)")
                }
                for number in numbers { merchants[number - 1].lastTransactionDate = group.date }
            }
        }
        for merchant in state.merchants {
            guard (1...(merchants.count + 1)).contains(merchant.number) else {
                throw StateJournal.Damage(reason: "merchant \(Merchant.id(number: merchant.number)) leaves a gap after \(merchants.count) merchants")
            }
            if merchant.number > merchants.count { merchants.append(merchant) } else { merchants[merchant.number - 1] = merchant }
        }
        let cards = checkpoint.state.storedCards
        guard (0...cards.count).contains(cardsDropped) else {
            throw StateJournal.Damage(reason: "\(cardsDropped) stored cards dropped, but there are \(cards.count)")
        }
        if let first = state.storedCards.first, let last = cards.last, first.number <= last.number {
            throw StateJournal.Damage(reason: "stored card \(CardProfile.id(number: first.number)) is appended after \(CardProfile.id(number: last.number))")
        }
        var result = state
        result.merchants = merchants
        result.storedCards = Array(cards.dropFirst(cardsDropped)) + state.storedCards
        result.pendingRefunds = try Self.applied(refundsDue, state.pendingRefunds, to: checkpoint.state.pendingRefunds, "refunds",
                                                 oldPayments: checkpoint.state.totalTransactions)
        result.pendingDisputes = try Self.applied(disputesDue, state.pendingDisputes, to: checkpoint.state.pendingDisputes, "dispute events",
                                                  oldPayments: checkpoint.state.totalTransactions)
        switch run {
        case .unchanged: return Checkpoint(state: result, unfinishedRun: checkpoint.unfinishedRun)
        case .removed: return Checkpoint(state: result, unfinishedRun: nil)
        case let .set(record): return Checkpoint(state: result, unfinishedRun: record)
        }
    }

    /// The pending follow-ups `pending` less the `due` first ones, with `added` merged in; a
    /// one-line reason when `due` is more than there are, or an added one is of an old payment.
    private static func applied<Event: FollowUp>(_ due: Int, _ added: [Event], to pending: [Event], _ noun: String,
                                                 oldPayments: Int64) throws(StateJournal.Damage) -> [Event] {
        guard (0...pending.count).contains(due) else {
            throw StateJournal.Damage(reason: "\(due) pending \(noun) fell due, but there are \(pending.count)")
        }
        if let early = added.first(where: { $0.paymentNumber <= oldPayments }) {
            throw StateJournal.Damage(reason: "pending \(noun) of \(Transaction.id(number: early.paymentNumber)) are new, but its payment is not")
        }
        return .merged(pending.dropFirst(due), added)
    }

    /// Merchants kept whole (new ones, and those that changed more than their last transaction's
    /// date) and the runs of those whose date alone changed; nil when the merchants are not
    /// numbered from 1 without gaps, or one is gone.
    private static func merchantChanges(from old: [Merchant], to new: [Merchant]) -> ([Merchant], [TransactedMerchants])? {
        guard old.count <= new.count else { return nil }
        var whole: [Merchant] = []
        // Usually one date: the day that just ended.
        var groups: [TransactedMerchants] = []
        for (index, merchant) in new.enumerated() {
            guard merchant.number == index + 1 else { return nil }
            guard index < old.count else {
                whole.append(merchant)
                continue
            }
            let before = old[index]
            guard before.number == merchant.number else { return nil }
            if before == merchant { continue }
            var dateAside = merchant
            dateAside.lastTransactionDate = before.lastTransactionDate
            guard dateAside == before, let date = merchant.lastTransactionDate else {
                whole.append(merchant)
                continue
            }
            guard let group = groups.firstIndex(where: { $0.date == date }) else {
                groups.append(TransactedMerchants(date: date, numbers: [merchant.number...merchant.number]))
                continue
            }
            let last = groups[group].numbers[groups[group].numbers.count - 1]
            if last.upperBound == merchant.number - 1 {
                groups[group].numbers[groups[group].numbers.count - 1] = last.lowerBound...merchant.number
            } else {
                groups[group].numbers.append(merchant.number...merchant.number)
            }
        }
        return (whole, groups)
    }

    /// How many of the old cards were dropped from the front and which were appended; nil when
    /// `new` is not the old list less its first cards plus cards numbered after all of them.
    private static func cardChanges(from old: [CardProfile], to new: [CardProfile]) -> (Int, [CardProfile])? {
        if old == new { return (0, []) }
        let firstKept = new.first.map { first in old.partitioningIndex { $0.number >= first.number } } ?? old.count
        let kept = old[firstKept...]
        guard new.count >= kept.count, new.prefix(kept.count).elementsEqual(kept) else { return nil }
        let appended = Array(new[kept.count...])
        let floor = old.last?.number ?? 0
        guard zip([floor] + appended.map(\.number), appended.map(\.number)).allSatisfy({ $0 < $1 }) else { return nil }
        return (firstKept, appended)
    }
}
