/// The rates of the payment lifecycle that a simulation runs with: so far, how declines split
/// between the decline codes, how many payments are refunded how late, and how many are disputed. The defaults have
/// their sources or are marked as assumptions (`AuthorizationResponse.declineShares`, `RefundPolicy`);
/// a scenario file (`--scenario`) changes them for a new simulation, and `merchants.json` keeps
/// them, so that later runs continue with the same.
public struct LifecycleScenario: Equatable, Sendable {
    /// Each decline code's share of the declines, in the order of `AuthorizationResponse.declineShares`
    /// (the order in which a decline is drawn: the same shares draw the same codes).
    public let declineShares: [Double]
    /// `declineShares` as a sampler.
    let declineTable: WeightedTable
    /// How many approved payments are refunded, and how long refunds take.
    public let refunds: RefundRates
    /// How many approved payments are disputed.
    public let disputes: DisputeRates

    /// The defaults, with their sources.
    public static let standard = LifecycleScenario(declineShares: AuthorizationResponse.declineShares.map(\.share), refunds: RefundPolicy.standard,
                                                   disputes: DisputePolicy.standard)

    private init(declineShares: [Double], refunds: RefundRates, disputes: DisputeRates) {
        self.declineShares = declineShares
        declineTable = WeightedTable(declineShares)
        self.refunds = refunds
        self.disputes = disputes
    }

    /// These decline shares with other refund and dispute rates.
    public func with(refunds: RefundRates? = nil, disputes: DisputeRates? = nil) -> LifecycleScenario {
        LifecycleScenario(declineShares: declineShares, refunds: refunds ?? self.refunds, disputes: disputes ?? self.disputes)
    }

    /// The scenario whose decline codes have `shares` (code, as `AuthorizationResponse.code`
    /// writes it, to share); a code left out has none. Throws a phrase naming the first problem:
    /// a code that is not a decline code, a share that is not a finite number from 0 to 1, or
    /// shares that do not add up to 1 (within 0.000001).
    public init(declineShares shares: [(code: String, share: Double)], refunds: RefundRates = RefundPolicy.standard,
                disputes: DisputeRates = DisputePolicy.standard) throws(Problem) {
        var ordered = [Double](repeating: 0, count: AuthorizationResponse.declineShares.count)
        for (code, share) in shares {
            guard let place = AuthorizationResponse.declineShares.firstIndex(where: { $0.response.code == code }) else {
                throw Problem("\(String(reflecting: code)) is not a decline code: use one of "
                    + AuthorizationResponse.declineShares.map(\.response.code).joined(separator: ", "))
            }
            guard share.isFinite, (0...1).contains(share) else { throw Problem("the share of \(code) is \(share), not from 0 to 1") }
            ordered[place] = share
        }
        let sum = ordered.reduce(0, +)
        guard abs(sum - 1) <= 1e-6 else { throw Problem("the decline shares add up to \(sum), not 1") }
        self.init(declineShares: ordered, refunds: refunds, disputes: disputes)
    }

    /// Each decline code with its share, in the order of `AuthorizationResponse.declineShares`.
    public var declineCodeShares: [(code: String, share: Double)] {
        zip(AuthorizationResponse.declineShares, declineShares).map { ($0.response.code, $1) }
    }

    public static func == (a: LifecycleScenario, b: LifecycleScenario) -> Bool {
        a.declineShares == b.declineShares && a.refunds == b.refunds && a.disputes == b.disputes
    }

    /// The shares that are not 0, as `decline_shares 51=0.6,05=0.4`, then the refund and dispute
    /// rates that are not the defaults, as `refunds rate=0.1,mean_wait_days=3 disputes rate=0.01`
    /// (for ids and manifests).
    public var description: String {
        var text = "decline_shares " + declineCodeShares.filter { $0.share > 0 }.map { "\($0.code)=\($0.share)" }.joined(separator: ",")
        if refunds != RefundPolicy.standard { text += " refunds rate=\(refunds.rate),mean_wait_days=\(refunds.meanWaitDays)" }
        if disputes != DisputePolicy.standard { text += " disputes rate=\(disputes.rate)" }
        return text
    }

    /// Why a scenario cannot be used, in a phrase.
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }
}
