/// Which approved payments are refunded, when, how much and why: each payment decides from a
/// random stream of its own (the seed, `RandomStream.refund` and its payment number), so a
/// refund does not depend on the other payments or on how a day is cut into parts, and drawing
/// refunds changes no other stream.
///
/// Published figures describe returns of goods, not card refunds of a whole acquirer's mix: the
/// National Retail Federation and Appriss Retail put 2023 US retail returns at 14.5 % of sales
/// ("2023 Consumer Returns in the Retail Industry"), e-commerce higher, groceries and services far
/// lower. Every number below is therefore our assumption for a mixed portfolio of merchants, and
/// the Lifecycle article marks it so.
public enum RefundPolicy {
    /// The defaults of the rates a scenario file may change (`RefundRates`).
    public static let standard = try! RefundRates(rate: 0.04, meanWaitDays: 6)

    /// How refunds split between reasons (assumption).
    public static let reasonShares: [(reason: RefundReason, share: Double)] = [
        (.returnedGoods, 0.55),
        (.cancelledOrder, 0.30),
        (.priceAdjustment, 0.10),
        (.duplicateCharge, 0.05),
    ]

    /// The chance that returned goods are only some of the purchase (assumption: a quarter).
    public static let partialReturnChance = 0.25
    /// A partial refund gives back this share of the payment at least and below `partialShareRange.upperBound` (assumption).
    public static let partialShareRange = 0.2..<0.8
    /// A price adjustment gives back this share of the payment (assumption).
    public static let adjustmentShareRange = 0.05..<0.3

    /// Refunds come a day after the payment at the soonest, then after an exponentially
    /// distributed wait (`RefundRates.meanWaitDays`), cut off so that none comes later than this
    /// many days after its payment (assumption: a 60-day return window).
    public static let latestDays = 60.0

    /// The wait from a payment to its refund at `rates`.
    public static func wait(_ rates: RefundRates) -> TruncatedWait { TruncatedWait(meanDays: rates.meanWaitDays, latestDays: latestDays) }

    static let reasons = WeightedTable(reasonShares.map(\.share))

    /// The refund of the settled transaction `transaction` at `rates`, or nil when it is not
    /// refunded (a declined payment never is).
    public static func refund(of transaction: Transaction, seed: UInt64, rates: RefundRates = standard) -> Refund? {
        guard transaction.approved else { return nil }
        var random = SimRandom(seed: seed, stream: RandomStream.refund.rawValue, UInt64(bitPattern: transaction.paymentNumber))
        guard random.chance(rates.rate) else { return nil }
        let reason = reasonShares[reasons.pick(&random)].reason
        let amount = Int(transaction.amountCents)
        var cents = amount
        switch reason {
        case .returnedGoods where random.chance(partialReturnChance):
            cents = share(of: amount, in: partialShareRange, &random)
        case .priceAdjustment:
            cents = share(of: amount, in: adjustmentShareRange, &random)
        default:
            break
        }
        return Refund(paymentNumber: transaction.paymentNumber, merchantNumber: transaction.merchantNumber,
                      cardNumber: transaction.card.number, paymentTime: transaction.timestamp, paymentCents: transaction.amountCents,
                      time: transaction.timestamp + wait(rates).seconds(&random), cents: Int32(cents), reason: reason)
    }

    /// A share of `amount` cents drawn uniformly from `range`, in whole cents from 1 to `amount - 1`
    /// (the whole amount when it is too small to split).
    private static func share(of amount: Int, in range: Range<Double>, _ random: inout SimRandom) -> Int {
        let fraction = range.lowerBound + random.unit() * (range.upperBound - range.lowerBound)
        guard amount >= 2 else { return amount }
        return min(amount - 1, max(1, Int((Double(amount) * fraction).rounded())))
    }
}

/// The refund rates a scenario file may change (`refunds:`): how many approved payments are
/// refunded and how long refunds take.
public struct RefundRates: Equatable, Sendable {
    /// The chance that an approved payment is refunded (default 0.04, our assumption).
    public let rate: Double
    /// The mean of the exponential wait after the first day, before the 60-day cut-off (default 6, our assumption).
    public let meanWaitDays: Double

    /// The means a wait may have: long enough to be a wait, short enough that the 60-day cut-off
    /// leaves the distribution an exponential one.
    public static let meanWaitRange = 0.1...30.0

    /// Throws a phrase naming the first problem: a rate that is not from 0 to 1, or a mean wait outside `meanWaitRange`.
    public init(rate: Double, meanWaitDays: Double) throws(LifecycleScenario.Problem) {
        guard rate.isFinite, (0...1).contains(rate) else { throw LifecycleScenario.Problem("the refund rate is \(rate), not from 0 to 1") }
        guard meanWaitDays.isFinite, Self.meanWaitRange.contains(meanWaitDays) else {
            throw LifecycleScenario.Problem("the refunds' mean wait is \(meanWaitDays) days, not from 0.1 to 30")
        }
        self.rate = rate
        self.meanWaitDays = meanWaitDays
    }
}
