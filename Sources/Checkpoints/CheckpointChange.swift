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
    /// Pending refunds taken from the front of the list (they fell due).
    var refundsDue: Int
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
              let (due, decided) = Self.refundChanges(from: old.state, to: new.state) else { return nil }
        state = new.state
        state.merchants = whole
        state.storedCards = appended
        state.pendingRefunds = decided
        cardsDropped = dropped
        refundsDue = due
        self.transacted = transacted
        run = old.unfinishedRun == new.unfinishedRun ? .unchanged : new.unfinishedRun.map(RunChange.set) ?? .removed
    }

    /// True when applying it changes nothing in `old`, the checkpoint it was told from.
    func changesNothing(in old: Checkpoint) -> Bool {
        var unchanged = old.state
        unchanged.merchants = []
        unchanged.storedCards = []
        unchanged.pendingRefunds = []
        return state == unchanged && cardsDropped == 0 && refundsDue == 0 && transacted.isEmpty && run == .unchanged
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
        let refunds = checkpoint.state.pendingRefunds
        guard (0...refunds.count).contains(refundsDue) else {
            throw StateJournal.Damage(reason: "\(refundsDue) pending refunds fell due, but there are \(refunds.count)")
        }
        if let early = state.pendingRefunds.first(where: { $0.paymentNumber <= checkpoint.state.totalTransactions }) {
            throw StateJournal.Damage(reason: "the refund of \(Transaction.id(number: early.paymentNumber)) is new, but its payment is not")
        }
        var result = state
        result.merchants = merchants
        result.storedCards = Array(cards.dropFirst(cardsDropped)) + state.storedCards
        result.pendingRefunds = Refund.merged(refunds.dropFirst(refundsDue), state.pendingRefunds)
        switch run {
        case .unchanged: return Checkpoint(state: result, unfinishedRun: checkpoint.unfinishedRun)
        case .removed: return Checkpoint(state: result, unfinishedRun: nil)
        case let .set(record): return Checkpoint(state: result, unfinishedRun: record)
        }
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

    /// How many of the old pending refunds fell due (from the front) and which the new payments
    /// decided (those of payments after the old state's last); nil when `new`'s other refunds are
    /// not the old ones less some first ones.
    private static func refundChanges(from old: SimulationState, to new: SimulationState) -> (Int, [Refund])? {
        if old.pendingRefunds == new.pendingRefunds { return (0, []) }
        let oldPayments = old.totalTransactions
        let kept = new.pendingRefunds.filter { $0.paymentNumber <= oldPayments }
        let due = old.pendingRefunds.count - kept.count
        guard due >= 0, old.pendingRefunds.dropFirst(due).elementsEqual(kept) else { return nil }
        return (due, new.pendingRefunds.filter { $0.paymentNumber > oldPayments })
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
