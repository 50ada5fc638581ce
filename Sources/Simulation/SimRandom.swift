/// A seeded, splittable pseudo-random generator (xoshiro256**).
///
/// Every stream the simulation uses is derived from the run seed and a few labels
/// (`SimRandom(seed:stream:)`), so a day or a merchant can be simulated on its own and
/// still draw exactly the numbers a one-shot run draws. All helpers here are hand-written
/// rather than taken from the standard library (`Int.random(in:using:)`), whose algorithm
/// is not promised to stay the same across Swift releases: output bytes must not change
/// when the toolchain does.
public struct SimRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// A generator whose whole state follows from `seed` (expanded with SplitMix64).
    public init(seed: UInt64) {
        var mixer = seed
        s0 = SimRandom.splitMix(&mixer)
        s1 = SimRandom.splitMix(&mixer)
        s2 = SimRandom.splitMix(&mixer)
        s3 = SimRandom.splitMix(&mixer)
    }

    /// An independent stream for `seed` and the given labels (e.g. a purpose, a day, a merchant).
    public init(seed: UInt64, stream labels: UInt64...) {
        var key = SimRandom.finalize(seed ^ 0x6A09_E667_F3BC_C909)
        for label in labels {
            key = SimRandom.finalize(key &+ 0x9E37_79B9_7F4A_7C15 &* (label &+ 1))
        }
        self.init(seed: key)
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-shift; bias below 2^-32 for our bounds).
    @inline(__always)
    public mutating func below(_ bound: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A uniform integer in `range`.
    @inline(__always)
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// A uniform double in `[0, 1)`.
    @inline(__always)
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// True with probability `probability`.
    @inline(__always)
    public mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    /// `value` rounded to an integer up or down at random, so that the expectation is `value`.
    public mutating func stochasticRound(_ value: Double) -> Int {
        let whole = value.rounded(.down)
        return Int(whole) + (chance(value - whole) ? 1 : 0)
    }

    private static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return finalize(state)
    }

    private static func finalize(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The purposes that random streams are derived for. Raw values are part of the output
/// contract: changing one changes every generated file.
public enum RandomStream: UInt64, Sendable {
    case initialMerchants = 1
    case lifecycle = 2
    case merchantDay = 3
    case cardReuse = 4
    /// When each transaction is delivered (late, twice): `DeliveryPlan`.
    case delivery = 5
    /// Why a declined payment was declined: `AuthorizationResponse`.
    case authorization = 6
    /// Whether an approved payment is refunded, when, how much and why: `RefundPolicy`.
    case refund = 7
    /// Whether an approved payment is disputed, why, when and how it ends: `DisputePolicy`.
    case dispute = 8
}

/// A table of weights turned into a sampler: `pick` returns an index with probability
/// proportional to its weight.
public struct WeightedTable: Sendable {
    private let cumulative: [Double]

    public init(_ weights: [Double]) {
        precondition(!weights.isEmpty && weights.allSatisfy { $0 >= 0 })
        var running = 0.0
        var table: [Double] = []
        table.reserveCapacity(weights.count)
        for weight in weights {
            running += weight
            table.append(running)
        }
        cumulative = table.map { $0 / running }
    }

    /// An index drawn with the table's weights.
    @inline(__always)
    public func pick(_ random: inout SimRandom) -> Int {
        let u = random.unit()
        var index = 0
        while index < cumulative.count - 1 && u >= cumulative[index] { index += 1 }
        return index
    }
}
