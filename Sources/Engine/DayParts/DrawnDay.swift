import Dispatch
import Simulation
import Synchronization

/// A day's drawn transactions, in windows of event time: drawn on one thread, or on two when the
/// day has many merchants, each thread drawing a consecutive half of them into a spool of its own.
/// Read back window by window, the first half's transactions go before the second's, so the
/// stable sort on the second gives the order of a day drawn on one thread.
final class DrawnDay {
    private let spools: [TransactionSpool]
    /// Merchants from which a day is drawn on two threads.
    private let parallelFrom: Int

    init(scratchFolder: String, limits: DayPartLimits) {
        let threads = 2
        spools = (0..<threads).map { _ in TransactionSpool(scratchFolder: scratchFolder, memoryBudget: limits.memoryBudget / threads) }
        parallelFrom = limits.parallelDrawFrom
    }

    /// Empties the spools and draws the day of `generator` into them.
    func draw(_ day: Day, with generator: TransactionGenerator) throws {
        let spools = self.spools
        for spool in spools { spool.start(day) }
        let merchants = generator.merchantCount
        guard merchants >= parallelFrom else {
            return try generator.forEachMerchantDay { try spools[0].add($0) }
        }
        let half = merchants / 2
        let ranges = [0..<half, half..<merchants]
        let failure = Mutex<(any Error)?>(nil)
        DispatchQueue.concurrentPerform(iterations: ranges.count) { index in
            do {
                try generator.forEachMerchantDay(in: ranges[index]) { try spools[index].add($0) }
            } catch {
                failure.withLock { if $0 == nil { $0 = error } }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// How many transactions window `window` has.
    func count(of window: Int) -> Int {
        spools.reduce(0) { $0 + $1.count(of: window) }
    }

    /// The time of the first transaction in window `window` or a later one; `Int64.max` when there is none.
    func firstSecond(from window: Int) -> Int64 {
        spools.map { $0.firstSecond(from: window) }.min()!
    }

    /// The transactions of the windows in `range`, in time order.
    func transactions(of range: Range<Int>, dayStart: Int64) throws -> [Transaction] {
        let total = range.reduce(0) { $0 + count(of: $1) }
        let gathered = try [Transaction](unsafeUninitializedCapacity: total) { buffer, initialized in
            for spool in spools {
                initialized += try spool.gather(range, into: UnsafeMutableBufferPointer(rebasing: buffer[initialized...]))
            }
        }
        let first = dayStart + Int64(range.lowerBound * TransactionSpool.windowSeconds)
        return TransactionGenerator.sortedBySecond(gathered, from: first, seconds: range.count * TransactionSpool.windowSeconds)
    }
}
