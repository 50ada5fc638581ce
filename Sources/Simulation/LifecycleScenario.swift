/// The rates of the payment lifecycle that a simulation runs with: so far, how declines split
/// between the decline codes, and how many payments are refunded how late. The defaults have
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

    /// The defaults, with their sources.
    public static let standard = LifecycleScenario(declineShares: AuthorizationResponse.declineShares.map(\.share), refunds: RefundPolicy.standard)

    private init(declineShares: [Double], refunds: RefundRates) {
        self.declineShares = declineShares
        declineTable = WeightedTable(declineShares)
        self.refunds = refunds
    }

    /// These decline shares with `refunds`' rates.
    public func with(refunds: RefundRates) -> LifecycleScenario {
        LifecycleScenario(declineShares: declineShares, refunds: refunds)
    }

    /// The scenario whose decline codes have `shares` (code, as `AuthorizationResponse.code`
    /// writes it, to share); a code left out has none. Throws a phrase naming the first problem:
    /// a code that is not a decline code, a share that is not a finite number from 0 to 1, or
    /// shares that do not add up to 1 (within 0.000001).
    public init(declineShares shares: [(code: String, share: Double)], refunds: RefundRates = RefundPolicy.standard) throws(Problem) {
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
        self.init(declineShares: ordered, refunds: refunds)
    }

    /// Each decline code with its share, in the order of `AuthorizationResponse.declineShares`.
    public var declineCodeShares: [(code: String, share: Double)] {
        zip(AuthorizationResponse.declineShares, declineShares).map { ($0.response.code, $1) }
    }

    public static func == (a: LifecycleScenario, b: LifecycleScenario) -> Bool {
        a.declineShares == b.declineShares && a.refunds == b.refunds
    }

    /// The shares that are not 0, as `decline_shares 51=0.6,05=0.4`, then the refund rates when
    /// they are not the defaults, as `refunds rate=0.1,mean_wait_days=3` (for ids and manifests).
    public var description: String {
        let shares = "decline_shares " + declineCodeShares.filter { $0.share > 0 }.map { "\($0.code)=\($0.share)" }.joined(separator: ",")
        guard refunds != RefundPolicy.standard else { return shares }
        return shares + " refunds rate=\(refunds.rate),mean_wait_days=\(refunds.meanWaitDays)"
    }

    /// Why a scenario cannot be used, in a phrase.
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }
}
