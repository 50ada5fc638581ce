/// What the acquirer owes a merchant for one settlement day (`--lifecycle`): the approved
/// payments' amounts less the merchant discount, less the refunds, chargebacks and dispute fees of
/// the day, plus the chargebacks reversed by disputes won that day. Made when the day's settlement
/// batch closes (its last second) and paid the next day; a negative net is a debit.
///
/// The payout holds exactly the day's events of its merchant in the other streams, so its net
/// reconciles to the cent with the transactions, refunds and disputes files.
public struct Payout: Equatable, Sendable {
    public var merchantNumber: Int32
    /// The day whose events it settles.
    public var settlementDay: Day
    /// Approved payments' amounts.
    public var grossCents: Int64 = 0
    /// The merchant discount on them (the transactions' `mdr_amount`).
    public var mdrCents: Int64 = 0
    public var refundCents: Int64 = 0
    /// Amounts of disputes opened that day.
    public var chargebackCents: Int64 = 0
    /// Fees of disputes opened that day.
    public var disputeFeeCents: Int64 = 0
    /// Amounts of disputes won that day, given back to the merchant.
    public var reversalCents: Int64 = 0
    /// The events it covers: approved payments, refunds and dispute openings and closings.
    public var items = 0

    public init(merchantNumber: Int32, settlementDay: Day) {
        self.merchantNumber = merchantNumber
        self.settlementDay = settlementDay
    }

    /// What the merchant receives (or, when negative, pays).
    public var netCents: Int64 { grossCents - mdrCents - refundCents - chargebackCents - disputeFeeCents + reversalCents }

    /// The settlement batch's cut-off: the settlement day's last second.
    public var time: Int64 { settlementDay.adding(days: 1).startSecond - 1 }

    /// The day the money moves: the day after the settlement day.
    public var payoutDate: Day { settlementDay.adding(days: 1) }
}

/// A day's payouts, gathered as its events are made: one per merchant that had an event.
struct PayoutLedger {
    private var payouts: [Payout?]
    private let day: Day

    /// An empty ledger for `day`, whose merchants are numbered up to `merchants`.
    init(day: Day, merchants: Int) {
        self.day = day
        payouts = Array(repeating: nil, count: merchants)
    }

    /// Counts `event` into its merchant's payout.
    private mutating func update(_ merchant: Int32, _ event: (inout Payout) -> Void) {
        let index = Int(merchant) - 1
        var payout = payouts[index] ?? Payout(merchantNumber: merchant, settlementDay: day)
        event(&payout)
        payout.items += 1
        payouts[index] = payout
    }

    mutating func add(_ transaction: Transaction) {
        guard transaction.approved else { return }
        update(transaction.merchantNumber) {
            $0.grossCents += Int64(transaction.amountCents)
            $0.mdrCents += Int64(transaction.mdrCents)
        }
    }

    mutating func add(_ refund: Refund) {
        update(refund.merchantNumber) { $0.refundCents += Int64(refund.cents) }
    }

    mutating func add(_ event: DisputeEvent) {
        update(event.merchantNumber) { payout in
            switch event.stage {
            case .opened:
                payout.chargebackCents += Int64(event.amountCents)
                payout.disputeFeeCents += Int64(event.feeCents)
            case .closed:
                if event.outcome == .won { payout.reversalCents += Int64(event.amountCents) }
            }
        }
    }

    /// The payouts, in merchant order.
    var all: [Payout] { payouts.compactMap { $0 } }
}
