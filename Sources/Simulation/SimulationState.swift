/// The whole resumable state of a simulation: what `merchants.json` holds.
///
/// Resuming from a decoded state and simulating day D gives exactly the events that a
/// one-shot run gives on day D: every random stream is derived from the seed and the day,
/// and everything else a day depends on is in here.
public struct SimulationState: Equatable, Sendable {
    /// Bumped when the meaning of a field changes; older files are refused.
    public static let schemaVersion = 1
    /// The version of a simulation with the payment lifecycle, so that a binary from before the
    /// lifecycle (or from before its refunds, disputes and payouts) refuses it instead of
    /// continuing it without its streams.
    public static let lifecycleSchemaVersion = 4
    /// The versions of a lifecycle simulation written before its later streams: 2 before refunds,
    /// 3 before disputes and payouts; read as one without the follow-ups it could not have.
    public static let earlierLifecycleSchemaVersions = [2, 3]

    /// The `schema_version` this state is written with.
    public var writtenSchemaVersion: Int { lifecycle ? Self.lifecycleSchemaVersion : Self.schemaVersion }

    public var seed: UInt64
    /// Multiplies the merchant population and the monthly caps (1 = the spec's volume).
    public var scale: Double
    /// IANA name of the zone whose wall-clock time the simulated clock shows (the timestamps mean
    /// nothing without it); nil in a state saved before it was recorded.
    public var timeZone: String?
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
    /// How far a stopped run got into the day after `lastGeneratedDate`; nil when it stopped between days.
    public var partialDay: PartialDay?
    /// True when the simulation produces the payment lifecycle's streams (`--lifecycle`); a run
    /// that continues it keeps it on. Stored only when true, so that a simulation without it is
    /// the same bytes as before it existed.
    public var lifecycle: Bool
    /// The lifecycle's rates (`--scenario`); the defaults unless a scenario file changed them, and
    /// then stored.
    public var scenario: LifecycleScenario
    /// Refunds decided by earlier days' payments that have not happened yet (`--lifecycle`), in
    /// time order (`FollowUp.inOrder`): each is at or after the start of `nextDay`.
    public var pendingRefunds: [Refund]
    /// The openings and closings of disputes decided by earlier days' payments that have not
    /// happened yet (`--lifecycle`), in time order: each is at or after the start of `nextDay`.
    public var pendingDisputes: [DisputeEvent]

    /// An empty state: the first simulated day onboards the initial merchants.
    public init(seed: UInt64, scale: Double = 1, timeZone: String? = nil, lifecycle: Bool = false, scenario: LifecycleScenario = .standard) {
        self.seed = seed
        self.scale = scale
        self.timeZone = timeZone
        self.lifecycle = lifecycle
        self.scenario = scenario
        firstDate = nil
        lastGeneratedDate = nil
        merchants = []
        merchantCounter = 0
        totalTransactions = 0
        cardCounter = 0
        storedCards = []
        monthPlan = nil
        partialDay = nil
        pendingRefunds = []
        pendingDisputes = []
    }

    /// The empty state this simulation started from: the same seed, scale, zone, lifecycle and
    /// rates, no day simulated yet.
    public var beginning: SimulationState {
        SimulationState(seed: seed, scale: scale, timeZone: timeZone, lifecycle: lifecycle, scenario: scenario)
    }

    /// The day the next simulation step generates.
    public var nextDay: Day? { lastGeneratedDate?.adding(days: 1) }

    public var activeMerchantCount: Int { merchants.reduce(0) { $0 + ($1.isActive ? 1 : 0) } }

    /// Stored card profiles kept at most at this scale.
    public var storedCardCap: Int { max(1, Int((Double(BusinessRules.storedCardCap) * scale).rounded())) }

    /// Merchants that may join in one month at this scale.
    public var monthlyGrowthCap: Int { Int((Double(BusinessRules.monthlyGrowthCap) * scale).rounded()) }

    /// Merchants that may leave in one month at this scale.
    public var monthlyChurnCap: Int { Int((Double(BusinessRules.monthlyChurnCap) * scale).rounded()) }
}

/// The events of a day that a stopped run already delivered to every sink: the first
/// `merchantEvents` merchant events, the first `transactions` transactions and, with the
/// lifecycle, the first `authorizations` authorizations, `refunds` refunds, `disputes` dispute
/// events and `payouts` payouts, each in event-time order. Resuming the
/// day regenerates it and skips exactly those.
public struct PartialDay: Equatable, Codable, Sendable {
    public var date: Day
    public var merchantEvents: Int
    public var transactions: Int
    /// Authorizations delivered (`--lifecycle`): in a state's partial day, 0 without the lifecycle
    /// (and then not written); as `DayEvents.earlier`, the authorizations before the part, one
    /// per transaction (`add(transactions:)`), in every run.
    public var authorizations: Int
    /// Refunds delivered (`--lifecycle`); 0 without the lifecycle, and then not written.
    public var refunds: Int
    /// Dispute openings and closings delivered (`--lifecycle`); 0 without the lifecycle, and then not written.
    public var disputes: Int
    /// Payouts delivered (`--lifecycle`); 0 without the lifecycle, and then not written.
    public var payouts: Int

    public init(date: Day, merchantEvents: Int, transactions: Int, authorizations: Int = 0, refunds: Int = 0, disputes: Int = 0,
                payouts: Int = 0) {
        self.date = date
        self.merchantEvents = merchantEvents
        self.transactions = transactions
        self.authorizations = authorizations
        self.refunds = refunds
        self.disputes = disputes
        self.payouts = payouts
    }

    /// Counts `count` more of the day's transactions, and their authorizations (one each).
    public mutating func add(transactions count: Int) {
        transactions += count
        authorizations += count
    }

    enum CodingKeys: String, CodingKey {
        case date
        case merchantEvents = "merchant_events_delivered"
        case transactions = "transactions_delivered"
        case authorizations = "authorizations_delivered"
        case refunds = "refunds_delivered"
        case disputes = "disputes_delivered"
        case payouts = "payouts_delivered"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(date: try container.decode(Day.self, forKey: .date),
                  merchantEvents: try container.decode(Int.self, forKey: .merchantEvents),
                  transactions: try container.decode(Int.self, forKey: .transactions),
                  authorizations: try container.decodeIfPresent(Int.self, forKey: .authorizations) ?? 0,
                  refunds: try container.decodeIfPresent(Int.self, forKey: .refunds) ?? 0,
                  disputes: try container.decodeIfPresent(Int.self, forKey: .disputes) ?? 0,
                  payouts: try container.decodeIfPresent(Int.self, forKey: .payouts) ?? 0)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if authorizations != 0 { try container.encode(authorizations, forKey: .authorizations) }
        if disputes != 0 { try container.encode(disputes, forKey: .disputes) }
        try container.encode(date, forKey: .date)
        try container.encode(merchantEvents, forKey: .merchantEvents)
        try container.encode(transactions, forKey: .transactions)
        if payouts != 0 { try container.encode(payouts, forKey: .payouts) }
        if refunds != 0 { try container.encode(refunds, forKey: .refunds) }
    }
}

/// How many merchants join and leave in one month; fixed on the month's first simulated day
/// from the active population then, and spread evenly over the month's days.
public struct MonthPlan: Equatable, Codable, Sendable {
    /// `year * 12 + month - 1`.
    public var monthIndex: Int
    public var newMerchants: Int
    public var churnedMerchants: Int

    enum CodingKeys: String, CodingKey {
        case monthIndex = "month_index"
        case newMerchants = "new_merchants"
        case churnedMerchants = "churned_merchants"
    }

    /// The part of `total` that falls on day-of-month `dayOfMonth` of a `daysInMonth`-day month.
    public static func share(of total: Int, dayOfMonth: Int, daysInMonth: Int) -> Int {
        total * dayOfMonth / daysInMonth - total * (dayOfMonth - 1) / daysInMonth
    }
}
