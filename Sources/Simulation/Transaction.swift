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

/// Everything that happened on one simulated day, in event-time order: merchant events
/// (all before business hours) then transactions.
public struct DayEvents: Sendable {
    public var day: Day
    public var merchantEvents: [MerchantEvent]
    public var transactions: [Transaction]

    public var count: Int { merchantEvents.count + transactions.count }
}
