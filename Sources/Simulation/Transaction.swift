/// One card payment: a row of `transactions_<start>_<end>.csv`. Compact and allocation-free,
/// since a replay makes millions of them.
public struct Transaction: Equatable, Sendable {
    /// The number in the id (`TXN0000000042` is 42).
    public var paymentNumber: Int64
    /// Simulated time, seconds since 1970-01-01T00:00:00.
    public var timestamp: Int64
    public var latitudeE6: Int32
    public var longitudeE6: Int32
    public var amountCents: Int32
    public var paymentType: PaymentType
    public var approved: Bool
    /// Index of the merchant's terminal that took the payment.
    public var terminalIndex: UInt8
    public var merchantNumber: Int32
    public var card: CardProfile
    /// True when `card` is a new card (its number is assigned in time order).
    public var isNewCard: Bool
    /// True when the new card is kept for reuse.
    public var storesCard: Bool
    /// The merchant's discount rate at the time, in ten-thousandths.
    public var mdrRate: Int16
    /// Per-transaction draw order inside the merchant's day; breaks timestamp ties.
    public var sequence: Int32

    public var costRate: Int { card.type.costRate }

    /// `TXN` and ten digits: the `payment_id` of payment `number`.
    public static func id(number: Int64) -> String {
        "TXN" + String(zeroPadded: Int(number), width: 10)
    }

    /// Fees are earned on approved payments only; a declined one carries zero amounts.
    public var mdrCents: Int { approved ? Transaction.fee(Int(amountCents), rate: Int(mdrRate)) : 0 }
    public var costCents: Int { approved ? Transaction.fee(Int(amountCents), rate: costRate) : 0 }
    public var netProfitCents: Int { mdrCents - costCents }

    /// `amount × rate` rounded half up to a cent (amounts are positive).
    @inline(__always)
    static func fee(_ cents: Int, rate: Int) -> Int { (cents * rate + 5_000) / 10_000 }
}

/// A change to a merchant: its first version, a new version after an attribute change, or
/// its churned version.
public struct MerchantEvent: Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case created, updated, churned
    }

    public var kind: Kind
    /// Simulated time, seconds since 1970-01-01T00:00:00.
    public var timestamp: Int64
    public var version: MerchantVersion
    /// The merchant's last transaction date when the event happened.
    public var lastTransactionDate: Day?
}

/// Events of one simulated day, in event-time order: merchant events (all before business hours)
/// then transactions. A whole day (`Simulator.simulate`) or one part of it (`DayParts`): a run
/// hands a day out in parts of bounded size, the merchant events first, then the transactions
/// window by window.
public struct DayEvents: Sendable {
    public var day: Day
    public var merchantEvents: [MerchantEvent]
    public var transactions: [Transaction]
    /// The refunds that happen in the part (`--lifecycle`), in time order: every refund of the day
    /// before `laterTransactionsFrom` that an earlier part did not hold (the day's last part holds the rest).
    public var refunds: [Refund]
    /// The dispute openings and closings that happen in the part (`--lifecycle`), in time order,
    /// placed like the refunds.
    public var disputes: [DisputeEvent]
    /// The day's payouts (`--lifecycle`), in merchant order: in its last part, at its last second.
    public var payouts: [Payout]
    /// How many of the day's events of each stream came in the parts before this one: the index
    /// in the day of this part's first event of that stream. All zero for a whole day.
    public var earlier: PartialDay
    /// No later part of the day holds a transaction before this second (`Int64.max` for the
    /// day's last part).
    public var laterTransactionsFrom: Int64

    /// A whole day, or a part of it after `earlier` events.
    public init(day: Day, merchantEvents: [MerchantEvent], transactions: [Transaction], refunds: [Refund] = [],
                disputes: [DisputeEvent] = [], payouts: [Payout] = [], earlier: PartialDay? = nil, laterTransactionsFrom: Int64 = .max) {
        self.day = day
        self.merchantEvents = merchantEvents
        self.transactions = transactions
        self.refunds = refunds
        self.disputes = disputes
        self.payouts = payouts
        self.earlier = earlier ?? PartialDay(date: day, merchantEvents: 0, transactions: 0)
        self.laterTransactionsFrom = laterTransactionsFrom
    }

    public var count: Int { merchantEvents.count + transactions.count }
}

/// A simulated day's events, counted: what the progress display and the metrics report when the
/// day is over, without holding its events.
public struct DayTotals: Sendable {
    public var day: Day
    public var merchantsCreated = 0
    public var merchantsUpdated = 0
    public var merchantsChurned = 0
    public var transactions = 0
    public var declined = 0
    /// Transactions on a card that was stored on an earlier day.
    public var onStoredCards = 0

    public init(day: Day) { self.day = day }

    /// Counts `events` in.
    public mutating func add(_ events: DayEvents) {
        for event in events.merchantEvents {
            switch event.kind {
            case .created: merchantsCreated += 1
            case .updated: merchantsUpdated += 1
            case .churned: merchantsChurned += 1
            }
        }
        transactions += events.transactions.count
        for transaction in events.transactions {
            declined += transaction.approved ? 0 : 1
            onStoredCards += transaction.isNewCard ? 0 : 1
        }
    }
}
