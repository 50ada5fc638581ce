/// The whole resumable state of a simulation: what `merchants.json` holds.
///
/// Resuming from a decoded state and simulating day D gives exactly the events that a
/// one-shot run gives on day D: every random stream is derived from the seed and the day,
/// and everything else a day depends on is in here.
public struct SimulationState: Equatable, Sendable {
    /// Bumped when the meaning of a field changes; older files are refused.
    public static let schemaVersion = 1

    public var seed: UInt64
    /// Multiplies the merchant population and the monthly caps (1 = the spec's volume).
    public var scale: Double
    public var firstDate: Day?
    public var lastGeneratedDate: Day?
    /// Merchants in id order.
    public var merchants: [Merchant]
    /// The highest merchant number handed out.
    public var merchantCounter: Int
    /// Transactions generated so far; the next payment id is this plus one.
    public var totalTransactions: Int64
    /// The highest card number handed out.
    public var cardCounter: Int64
    /// Cards kept for reuse, oldest first.
    public var storedCards: [CardProfile]
    /// New merchants and churns planned for the month being simulated.
    public var monthPlan: MonthPlan?

    /// An empty state: the first simulated day onboards the initial merchants.
    public init(seed: UInt64, scale: Double = 1) {
        self.seed = seed
        self.scale = scale
        firstDate = nil
        lastGeneratedDate = nil
        merchants = []
        merchantCounter = 0
        totalTransactions = 0
        cardCounter = 0
        storedCards = []
        monthPlan = nil
    }

    /// The day the next simulation step generates.
    public var nextDay: Day? { lastGeneratedDate?.adding(days: 1) }

    public var activeMerchantCount: Int { merchants.reduce(0) { $0 + ($1.isActive ? 1 : 0) } }

    /// Stored card profiles kept at most at this scale.
    public var storedCardCap: Int { max(1, Int((Double(BusinessRules.storedCardCap) * scale).rounded())) }
}

/// How many merchants join and leave in one month; fixed on the month's first simulated day
/// from the active population then, and spread evenly over the month's days.
public struct MonthPlan: Equatable, Codable, Sendable {
    /// `year * 12 + month - 1`.
    public var monthIndex: Int
    public var newMerchants: Int
    public var churnedMerchants: Int

    /// The part of `total` that falls on day-of-month `dayOfMonth` of a `daysInMonth`-day month.
    public static func share(of total: Int, dayOfMonth: Int, daysInMonth: Int) -> Int {
        total * dayOfMonth / daysInMonth - total * (dayOfMonth - 1) / daysInMonth
    }
}
