#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An event of the payment lifecycle that is decided when its payment is made and happens later
/// (a refund, a dispute's opening or closing). It waits in the state, in a list in time order,
/// until its day comes: a day takes its events from the front of the list when it opens, and the
/// follow-ups its payments decided are merged in when it closes.
public protocol FollowUp: Equatable, Sendable {
    /// When it happens: simulated seconds since 1970-01-01T00:00:00, at least a day after its payment.
    var time: Int64 { get }
    /// The payment it follows.
    var paymentNumber: Int64 { get }
}

extension FollowUp {
    /// The order of pending follow-ups and of a day's: by time, then by payment (a payment has at
    /// most one follow-up of a kind at a time).
    public static func inOrder(_ a: Self, _ b: Self) -> Bool { (a.time, a.paymentNumber) < (b.time, b.paymentNumber) }
}

extension Array where Element: FollowUp {
    /// Removes and returns the follow-ups before `second`, from the front of this list in time order.
    public mutating func takeFirst(before second: Int64) -> [Element] {
        let due = partitioningIndex { $0.time >= second }
        defer { removeFirst(due) }
        return Array(prefix(due))
    }

    /// `earlier` and `later` (each in time order) merged into one list in time order.
    public static func merged(_ earlier: ArraySlice<Element>, _ later: [Element]) -> [Element] {
        var result: [Element] = []
        result.reserveCapacity(earlier.count + later.count)
        var first = earlier.startIndex, second = later.startIndex
        while first < earlier.endIndex && second < later.endIndex {
            if Element.inOrder(later[second], earlier[first]) {
                result.append(later[second])
                second += 1
            } else {
                result.append(earlier[first])
                first += 1
            }
        }
        result.append(contentsOf: earlier[first...])
        result.append(contentsOf: later[second...])
        return result
    }

    /// How a list of the state `old` became `new`: how many follow-ups fell due from its front,
    /// and which were added (those of payments after `oldPayments`, the old state's last); nil
    /// when the others are not the old list less some first ones.
    public static func change(from old: [Element], to new: [Element], oldPayments: Int64) -> (due: Int, added: [Element])? {
        if old == new { return (0, []) }
        let kept = new.filter { $0.paymentNumber <= oldPayments }
        let due = old.count - kept.count
        guard due >= 0, old.dropFirst(due).elementsEqual(kept) else { return nil }
        return (due, new.filter { $0.paymentNumber > oldPayments })
    }
}

/// A wait of at least a day: one day, then an exponentially distributed time of mean `meanDays`
/// cut off so that the whole wait stays below `latestDays`. Drawn by inverting its CDF, so a draw
/// takes one number and never retries.
///
/// The C library's `log` and `exp` are the simulation's only transcendental functions; a last-bit
/// difference between two libraries could move a wait by a second only when it lands exactly on a
/// second's edge.
public struct TruncatedWait: Equatable, Sendable {
    public let meanDays: Double
    public let latestDays: Double

    public init(meanDays: Double, latestDays: Double) {
        self.meanDays = meanDays
        self.latestDays = latestDays
    }

    /// A wait in whole seconds, from 86,400 to below `latestDays` days.
    func seconds(_ random: inout SimRandom) -> Int64 {
        86_400 + Int64((days(quantile: random.unit()) * 86_400).rounded(.down))
    }

    /// The days after the first one at which the wait's CDF is `quantile` (from 0 to 1).
    public func days(quantile: Double) -> Double {
        -meanDays * log(1 - quantile * cutoffMass)
    }

    /// The CDF of the wait after the first day, at `days` (0 before, 1 from `latestDays - 1` on).
    public func distribution(atDays days: Double) -> Double {
        guard days > 0 else { return 0 }
        return min(1, (1 - exp(-days / meanDays)) / cutoffMass)
    }

    /// The untruncated exponential's probability below the cut-off.
    private var cutoffMass: Double { 1 - exp(-(latestDays - 1) / meanDays) }
}
