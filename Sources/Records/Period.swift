import Simulation

/// The days a run covers, which name its files (`transactions_<start>_<end>.csv`).
public struct Period: Equatable, Sendable {
    public let start: Day
    public let end: Day

    public init(start: Day, end: Day) {
        precondition(start <= end)
        self.start = start
        self.end = end
    }

    public var dayCount: Int { end.ordinal - start.ordinal + 1 }

    /// Every day of the period, in order.
    public var days: [Day] { (start.ordinal...end.ordinal).map(Day.init(ordinal:)) }

    /// A period of one day.
    public init(day: Day) { self.init(start: day, end: day) }

    /// `<prefix>_<start>_<end>.csv`.
    public func fileName(_ prefix: String) -> String { "\(prefix)_\(start)_\(end).csv" }

    /// Calls `body` with each merchant version that `merchants_<start>_<end>.csv` holds, and its
    /// merchant: every version in force during at least part of the period (a version replaced on
    /// the first day counts), so every merchant known in the period with each version it went
    /// through, except merchants that had already churned before it began. Ordered by merchant id,
    /// then version; nothing is copied.
    public func forEachMerchantVersion(in state: SimulationState, _ body: (MerchantVersion, Merchant) throws -> Void) rethrows {
        for merchant in state.merchants {
            for (index, version) in merchant.versions.enumerated() where version.effectiveDate <= end {
                let nextStart = index + 1 < merchant.versions.count ? merchant.versions[index + 1].effectiveDate : nil
                let supersededBeforeStart = nextStart.map { $0 < start } ?? false
                let churnedBeforeStart = version.status == .churned && version.effectiveDate < start
                if !supersededBeforeStart && !churnedBeforeStart { try body(version, merchant) }
            }
        }
    }
}
