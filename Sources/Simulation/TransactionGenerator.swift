/// Draws one day's transactions, merchant by merchant, in merchant order.
///
/// Each merchant's day draws from its own stream (seed, day, merchant), and reused cards come
/// from the pool as it stood at the start of the day, so merchants are independent of each
/// other. The draws are put in time order (`sortedBySecond`) and payment and card numbers are
/// handed out afterwards, by `Simulator.settle`.
public struct TransactionGenerator: Sendable {
    private let day: Day
    private let merchants: [Merchant]
    private let storedCards: [CardProfile]
    private let seed: UInt64
    private let volumeFactor: Double
    private let reuseShare: Double

    private static let hours = WeightedTable(BusinessRules.hourlyWeights)

    init(state: SimulationState, day: Day) {
        self.day = day
        merchants = state.merchants
        storedCards = state.storedCards
        seed = state.seed
        volumeFactor = BusinessRules.volumeFactor(on: day)
        var random = SimRandom(seed: seed, stream: RandomStream.cardReuse.rawValue, day.streamLabel)
        let share = BusinessRules.dailyReuseShare
        reuseShare = share.lowerBound + (share.upperBound - share.lowerBound) * random.unit()
    }

    /// How many merchants the day draws for (active or not): `forEachMerchantDay(in:)` takes a range of them.
    public var merchantCount: Int { merchants.count }

    /// Calls `body` with each active merchant's transactions of the day, in merchant order, each
    /// merchant's in draw order (the buffer is reused from one merchant to the next); with `range`,
    /// for those merchants only (positions in merchant order), so that ranges can be drawn apart.
    public func forEachMerchantDay(in range: Range<Int>? = nil, _ body: ([Transaction]) throws -> Void) rethrows {
        var drawn: [Transaction] = []
        for merchant in merchants[range ?? merchants.indices] where merchant.isActive {
            drawn.removeAll(keepingCapacity: true)
            appendDay(of: merchant, to: &drawn)
            if !drawn.isEmpty { try body(drawn) }
        }
    }

    private func appendDay(of merchant: Merchant, to output: inout [Transaction]) {
        var random = SimRandom(seed: seed, stream: RandomStream.merchantDay.rawValue, day.streamLabel, UInt64(merchant.number))
        guard random.chance(BusinessRules.dailyActivityChance) else { return }
        let version = merchant.current
        let size = version.size
        let count = random.stochasticRound(Double(random.int(in: size.dailyTransactions)) * volumeFactor)
        let amounts = size.amountCents
        let amountSpan = Double(amounts.upperBound - amounts.lowerBound)
        for sequence in 0..<count {
            let hour = BusinessRules.firstBusinessHour + Self.hours.pick(&random)
            let second = Int64(hour * 3600 + random.below(3600))
            let u = random.unit()
            let amount = amounts.lowerBound + Int((amountSpan * u * u).rounded())
            let paymentType = PaymentType(rawValue: UInt8(PaymentType.sampler.pick(&random)))!
            let terminal = UInt8(random.below(merchant.terminalCount))
            let reuses = !storedCards.isEmpty && random.chance(reuseShare)
            let card = reuses ? storedCards[random.below(storedCards.count)] : CardProfile.draw(&random)
            let stores = !reuses && random.chance(BusinessRules.cardStoreChance)
            let approved = !random.chance(BusinessRules.declineChance)
            // In person: at the counter. Online: wherever the customer is, within ~5 km.
            let spread = paymentType == .cardNotPresent ? 50_000 : 1_500
            output.append(Transaction(
                paymentNumber: 0,
                timestamp: day.startSecond + second,
                latitudeE6: merchant.latitudeE6 + Int32(random.int(in: -spread...spread)),
                longitudeE6: merchant.longitudeE6 + Int32(random.int(in: -spread...spread)),
                amountCents: Int32(amount),
                paymentType: paymentType,
                approved: approved,
                terminalIndex: terminal,
                merchantNumber: Int32(merchant.number),
                card: card,
                isNewCard: !reuses,
                storesCard: stores,
                mdrRate: Int16(version.mdrRate),
                sequence: Int32(sequence)
            ))
        }
    }

    /// A stable counting sort on the second, for transactions of the `seconds` from `firstSecond`
    /// on: drawn merchant by merchant in merchant order, the result is ordered by (timestamp,
    /// merchant, draw order).
    public static func sortedBySecond(_ transactions: [Transaction], from firstSecond: Int64, seconds: Int) -> [Transaction] {
        guard let first = transactions.first else { return [] }
        var counts = [Int](repeating: 0, count: seconds + 1)
        for transaction in transactions { counts[Int(transaction.timestamp - firstSecond) + 1] += 1 }
        for second in 1..<counts.count { counts[second] += counts[second - 1] }
        var sorted = [Transaction](repeating: first, count: transactions.count)
        for transaction in transactions {
            let slot = Int(transaction.timestamp - firstSecond)
            sorted[counts[slot]] = transaction
            counts[slot] += 1
        }
        return sorted
    }
}
