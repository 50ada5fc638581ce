/// Decides, for every transaction, whether it is delivered late and by how much, and whether it
/// is delivered twice: a pure function of the seed, the event's day and its index in the day, so
/// that a day resumed after a crash, a shard and an uninterrupted run decide alike.
///
/// Each transaction draws from its own random stream (`RandomStream.delivery`, day, index) five
/// numbers in a fixed order, whatever the settings: late or not, the delay's octave and its place
/// in it, duplicate or not, the retry delay. So raising one fraction only adds events to its kind (the late events at
/// 0.05 are among those at 0.1) and never reshuffles the other kind.
///
/// Delays are log-uniform by doubling: the octaves 1 s, 2–3 s, 4–7 s, … up to the maximum
/// (the last one cut at it) are equally likely, and a delay is uniform within its octave. Half
/// the late events are within about the square root of the maximum, a few come close to it: a
/// long tail bounded by the maximum, with no floating-point function that could differ between
/// platforms. A duplicate follows its first delivery after 1 to 30 seconds, uniformly.
///
/// Delays are elapsed time: a delivery's instant is its event's instant plus the delay, and its
/// time on the simulated clock is the zone's wall-clock time of that instant (so a delay across a
/// daylight-saving change is as long as drawn, and no delivery falls in a skipped hour).
public struct DeliveryPlan: Sendable {
    public let settings: DisorderSettings
    private let seed: UInt64
    private let octaves: Int
    private let zone: any WallClockZone

    /// `zone`: the rules of the simulated clock's time zone.
    public init(settings: DisorderSettings, seed: UInt64, zone: any WallClockZone) {
        precondition(settings.problem == nil)
        self.settings = settings
        self.seed = seed
        self.zone = zone
        octaves = Int64.bitWidth - settings.maxLatenessSeconds.leadingZeroBitCount
    }

    /// What happens to one transaction: its first delivery's delay (0 = on time) and, when it is
    /// delivered twice, the second delivery's delay after the first.
    public struct Decision: Equatable, Sendable {
        public var lateness: Int64
        public var retryDelay: Int64?

        public var isLate: Bool { lateness > 0 }
    }

    /// When a transaction of event time `eventTime` (a local wall-clock second) is delivered under
    /// `decision`: first, and a second time when duplicated, as local wall-clock seconds of the
    /// instants the delays lead to. A delivery is never before what it follows on the simulated
    /// clock: only a delay that ends in the second pass of a repeated hour could map there, and it
    /// is then made at the time it follows (no transaction falls in such an hour in any zone's
    /// business hours today).
    public func deliveredAt(eventTime: Int64, _ decision: Decision) -> (first: Int64, second: Int64?) {
        guard decision.isLate || decision.retryDelay != nil else { return (eventTime, nil) }
        let eventInstant = zone.utcSecond(ofLocal: eventTime)
        let firstInstant = eventInstant + decision.lateness
        let first = decision.isLate ? max(eventTime, zone.localSecond(ofUTC: firstInstant)) : eventTime
        return (first, decision.retryDelay.map { max(first, zone.localSecond(ofUTC: firstInstant + $0)) })
    }

    /// The decision for transaction `index` of `day`.
    @inline(__always)
    public func decide(day: Day, index: Int) -> Decision {
        var random = SimRandom(seed: seed, stream: RandomStream.delivery.rawValue, day.streamLabel, UInt64(index))
        let late = random.unit() < settings.lateFraction
        let delay = delay(&random)
        let duplicate = random.unit() < settings.duplicateFraction
        let retry = Int64(random.below(Int(DisorderSettings.retryWindowSeconds))) + 1
        return Decision(lateness: late ? delay : 0, retryDelay: duplicate ? retry : nil)
    }

    /// The deliveries of transaction `index` of `day` in mark order (one or two), for a run whose epoch's first day is `epoch`.
    public func deliveries(of transaction: Transaction, day: Day, index: Int, epoch: Day) -> (first: Delivery, second: Delivery?) {
        let decision = decide(day: day, index: index)
        let at = deliveredAt(eventTime: transaction.timestamp, decision)
        let first = Delivery(mark: DeliveryMark(epoch: epoch, deliveredAt: at.first, day: day, index: index,
                                                kind: decision.isLate ? .late : .onTime), transaction: transaction)
        let second = at.second.map {
            Delivery(mark: DeliveryMark(epoch: epoch, deliveredAt: $0, day: day, index: index, kind: .duplicate), transaction: transaction)
        }
        return (first, second)
    }

    /// A delay in 1...max: an octave, then a second in it.
    @inline(__always)
    private func delay(_ random: inout SimRandom) -> Int64 {
        let low = Int64(1) << random.below(octaves)
        let high = min(low * 2 - 1, settings.maxLatenessSeconds)
        return low + Int64(random.below(Int(high - low + 1)))
    }
}
