/// Which approved payments are disputed, why, when and how the disputes end: each payment decides
/// from a random stream of its own (the seed, `RandomStream.dispute` and its payment number), so
/// a dispute depends on nothing else and drawing disputes changes no other stream. A refunded
/// payment is never disputed, so refunds and chargebacks of a payment never add up to more than it.
///
/// Published figures: the card networks watch merchants whose disputes pass 0.9 % of their
/// transactions (Visa's Dispute Monitoring Program) or 1.5 % (Mastercard's Excessive Chargeback
/// Program), and typical rates are 0.1–0.9 % by industry. The rest is our assumption, marked in the
/// Lifecycle article.
public enum DisputePolicy {
    /// The defaults of the rates a scenario file may change.
    public static let standard = try! DisputeRates(rate: 0.005)

    /// How disputes split between reasons (assumption): fraud half of them, coded by whether the
    /// card was present; then consumer, processing-error and authorization disputes.
    public static let familyShares: [(family: DisputeReason.Family, share: Double)] = [
        (.fraud, 0.50),
        (.consumer, 0.30),
        (.processingError, 0.12),
        (.authorization, 0.08),
    ]

    /// How disputes end (assumption).
    public static let outcomeShares: [(outcome: DisputeOutcome, share: Double)] = [
        (.lost, 0.45),
        (.won, 0.30),
        (.accepted, 0.25),
    ]

    /// The fee of a dispute, in cents (assumption: $15, what many acquirers charge in the US).
    public static let feeCents: Int32 = 1_500
    /// Days the merchant has for its evidence after the opening's day (assumption: 30).
    public static let evidenceDays = 30
    /// The opening comes a day after the payment at the soonest, then after an exponential wait
    /// of mean 14 days, below 75 days after the payment (assumption).
    public static let openingWait = TruncatedWait(meanDays: 14, latestDays: 75)
    /// An accepted dispute closes 1 to 10 days after its opening; a contested one (won or lost) 30
    /// to 44 days after it, once the evidence is in and the issuer has decided (assumption). So a
    /// dispute always closes within 120 days of its payment.
    public static let acceptedCloseDays = 1...10
    public static let contestedCloseDays = 30...44
    /// The latest a dispute closes after its payment, in days.
    public static let latestDays = 120

    static let families = WeightedTable(familyShares.map(\.share))
    static let outcomes = WeightedTable(outcomeShares.map(\.share))

    /// The opening and the closing of `transaction`'s dispute at `rates`; nil when it is not
    /// disputed (a declined or `refunded` payment never is).
    public static func dispute(of transaction: Transaction, refunded: Bool, seed: UInt64,
                               rates: DisputeRates = standard) -> (opened: DisputeEvent, closed: DisputeEvent)? {
        guard transaction.approved, !refunded else { return nil }
        var random = SimRandom(seed: seed, stream: RandomStream.dispute.rawValue, UInt64(bitPattern: transaction.paymentNumber))
        guard random.chance(rates.rate) else { return nil }
        let reason = reason(of: familyShares[families.pick(&random)].family, paidBy: transaction.paymentType, &random)
        let outcome = outcomeShares[outcomes.pick(&random)].outcome
        let opened = transaction.timestamp + openingWait.seconds(&random)
        let closeDays = outcome == .accepted ? acceptedCloseDays : contestedCloseDays
        let closed = opened + Int64(random.int(in: closeDays)) * 86_400 + Int64(random.below(86_400))
        let opening = DisputeEvent(
            stage: .opened, time: opened, paymentNumber: transaction.paymentNumber, merchantNumber: transaction.merchantNumber,
            cardNumber: transaction.card.number, paymentTime: transaction.timestamp, paymentCents: transaction.amountCents,
            openedTime: opened, reason: reason, amountCents: transaction.amountCents, feeCents: feeCents, outcome: outcome)
        var closing = opening
        closing.stage = .closed
        closing.time = closed
        return (opening, closing)
    }

    /// A reason code of `family`: fraud by whether the card was there, the others half and half
    /// between their codes (assumption).
    private static func reason(of family: DisputeReason.Family, paidBy type: PaymentType, _ random: inout SimRandom) -> DisputeReason {
        switch family {
        case .fraud: type == .cardNotPresent ? .fraudCardAbsent : .fraudCardPresent
        case .authorization: .noAuthorization
        case .processingError: random.chance(0.5) ? .duplicateProcessing : .incorrectAmount
        case .consumer: random.chance(0.5) ? .notReceived : .notAsDescribed
        }
    }
}

/// The dispute rate a scenario file may change (`disputes: rate:`).
public struct DisputeRates: Equatable, Sendable {
    /// The chance that an approved payment without a refund is disputed (default 0.005, our
    /// assumption within the typical 0.1–0.9 %).
    public let rate: Double

    /// Throws a phrase when the rate is not from 0 to 1.
    public init(rate: Double) throws(LifecycleScenario.Problem) {
        guard rate.isFinite, (0...1).contains(rate) else { throw LifecycleScenario.Problem("the dispute rate is \(rate), not from 0 to 1") }
        self.rate = rate
    }
}
