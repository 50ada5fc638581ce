/// The business parameters of the simulated aggregator, from the spec and the choices
/// Sources/Engine/Engine.docc/BusinessRules.md documents. Amounts are in cents and rates in ten-thousandths (basis points / 100
/// is not used: a rate of 0.0325 is stored as 325) so that money arithmetic is exact.
public enum BusinessRules {
    public static let initialMerchants = 500
    public static let monthlyGrowthRate = 0.08
    public static let monthlyGrowthCap = 50
    public static let monthlyChurnRate = 0.03
    public static let monthlyChurnCap = 30
    /// Chance that an active merchant changes one attribute on a given day.
    public static let dailyAttributeChangeChance = 0.002
    /// Chance that an active merchant has any transaction on a given day.
    public static let dailyActivityChance = 0.95
    public static let weekendFactor = 0.7
    public static let holidayFactor = 1.5
    public static let summerFactor = 1.2
    /// Chance that a new card is stored for later reuse.
    public static let cardStoreChance = 0.01
    /// Each day's share of transactions that reuse a stored card is drawn from this range.
    public static let dailyReuseShare = 0.05...0.15
    /// Stored card profiles kept at most; the oldest is forgotten first.
    public static let storedCardCap = 1_000
    public static let declineChance = 0.03
    /// Business hours: transactions happen from 08:00:00 to 21:59:59.
    public static let firstBusinessHour = 8
    /// Relative transaction volume of each business hour (08:00 … 21:00): a lunch and an
    /// after-work peak.
    public static let hourlyWeights: [Double] = [3, 5, 7, 9, 12, 11, 8, 7, 8, 10, 12, 10, 6, 4]

    /// The multiplier on a day's transaction volume.
    public static func volumeFactor(on day: Day) -> Double {
        var factor = day.isWeekend ? weekendFactor : 1
        if SeasonalCalendar.isHolidaySeason(day) {
            factor *= holidayFactor
        } else if SeasonalCalendar.isSummer(day) {
            factor *= summerFactor
        }
        return factor
    }
}

/// A merchant's size class and the ranges that follow from it.
public enum SizeCategory: UInt8, CaseIterable, Codable, Sendable {
    case small, medium, large

    public var name: String {
        switch self {
        case .small: "small"
        case .medium: "medium"
        case .large: "large"
        }
    }

    /// Share of new merchants of this size.
    public var share: Double {
        switch self {
        case .small: 0.70
        case .medium: 0.25
        case .large: 0.05
        }
    }

    /// Transactions on an active day, before weekend and seasonal factors.
    public var dailyTransactions: ClosedRange<Int> {
        switch self {
        case .small: 2...20
        case .medium: 5...50
        case .large: 20...100
        }
    }

    /// Transaction amounts in cents.
    public var amountCents: ClosedRange<Int> {
        switch self {
        case .small: 500...10_000
        case .medium: 2_500...30_000
        case .large: 10_000...100_000
        }
    }

    /// Merchant discount rate in ten-thousandths (300 = 3.00 %).
    public var mdrRange: ClosedRange<Int> {
        switch self {
        case .small: 300...350
        case .medium: 250...290
        case .large: 200...250
        }
    }

    /// How many terminals a merchant of this size has.
    public var terminalCount: ClosedRange<Int> {
        switch self {
        case .small: 1...2
        case .medium: 2...5
        case .large: 5...20
        }
    }

    static let sampler = WeightedTable(allCases.map(\.share))

    init?(name: String) {
        guard let match = SizeCategory.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }
}
