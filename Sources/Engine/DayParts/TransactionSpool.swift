import Simulation

/// Holds a day's drawn transactions in windows of event time and hands them back window by
/// window in time order, in bounded memory: once more than `memoryBudget` bytes of them are
/// held, every window's transactions so far go to a scratch file, to be read back when their
/// window's turn comes.
///
/// The draw comes merchant by merchant, so each window keeps its transactions in draw order (a
/// window's spilled runs, then what it still holds), and a stable sort on the second gives the
/// order of a whole day sorted at once: (timestamp, merchant, draw order). A day drawn on two
/// threads has a spool per thread, each for a consecutive range of merchants.
// Unchecked: a spool is used by one thread at a time (the simulation's, or one of the two that draw
// a large day, each into its own spool, before the simulation's thread reads them back).
final class TransactionSpool: @unchecked Sendable {
    /// Seconds of event time in one window.
    static let windowSeconds = 60
    static let windowsPerDay = 86_400 / windowSeconds

    private let scratchFolder: String
    /// Transactions held in memory at most before they go to the scratch file.
    private let heldLimit: Int
    private var scratch: ScratchFile?
    // Unchecked exclusivity: `add` touches these per transaction, and the dynamic checks of a
    // class's stored properties took a tenth of a scale-1000 day (perf); nothing else holds them.
    @exclusivity(unchecked) private var windows: [[Transaction]]
    /// Per window, where its spilled runs are in the scratch file (byte offset, transactions).
    private var spilled: [[(offset: Int, count: Int)]]
    /// The time of each window's first transaction (`Int64.max` for an empty window).
    @exclusivity(unchecked) private var firstSeconds: [Int64]
    private var held = 0
    private var dayStart: Int64 = 0
    /// Transactions added since `start`.
    private(set) var count = 0

    /// `scratchFolder`: where the scratch file goes, created only when a day needs it.
    init(scratchFolder: String, memoryBudget: Int) {
        precondition(_isPOD(Transaction.self), "transactions go to the scratch file as their bytes")
        self.scratchFolder = scratchFolder
        heldLimit = max(1, memoryBudget / MemoryLayout<Transaction>.stride)
        windows = Array(repeating: [], count: Self.windowsPerDay)
        spilled = Array(repeating: [], count: Self.windowsPerDay)
        firstSeconds = Array(repeating: .max, count: Self.windowsPerDay)
    }

    /// Empties the spool for `day`.
    func start(_ day: Day) {
        dayStart = day.startSecond
        for window in windows.indices {
            windows[window].removeAll(keepingCapacity: true)
            spilled[window].removeAll()
            firstSeconds[window] = .max
        }
        scratch?.reset()
        held = 0
        count = 0
    }

    /// Takes the next drawn transactions (events of the started day).
    func add(_ transactions: [Transaction]) throws {
        for transaction in transactions {
            let window = window(of: transaction.timestamp)
            windows[window].append(transaction)
            firstSeconds[window] = min(firstSeconds[window], transaction.timestamp)
        }
        held += transactions.count
        count += transactions.count
        if held >= heldLimit { try spill() }
    }

    /// The number of the window that holds `second`.
    @inline(__always)
    func window(of second: Int64) -> Int { Int(second - dayStart) / Self.windowSeconds }

    /// The time of the first transaction in window `window` or a later one; `Int64.max` when there is none.
    func firstSecond(from window: Int) -> Int64 {
        firstSeconds[window...].first { $0 != .max } ?? .max
    }

    /// How many transactions window `window` has.
    func count(of window: Int) -> Int {
        windows[window].count + spilled[window].reduce(0) { $0 + $1.count }
    }

    /// Copies the transactions of the windows in `range`, in draw order window by window, to the
    /// start of `buffer` (which has room for them); returns how many.
    func gather(_ range: Range<Int>, into buffer: UnsafeMutableBufferPointer<Transaction>) throws -> Int {
        var initialized = 0
        for window in range {
            for run in spilled[window] {
                let target = UnsafeMutableBufferPointer(rebasing: buffer[initialized..<initialized + run.count])
                try scratch!.read(at: run.offset, into: UnsafeMutableRawBufferPointer(target))
                initialized += run.count
            }
            windows[window].withUnsafeBufferPointer { held in
                _ = UnsafeMutableBufferPointer(rebasing: buffer[initialized..<initialized + held.count]).initialize(from: held)
            }
            initialized += windows[window].count
        }
        return initialized
    }

    /// Moves every held transaction to the scratch file.
    private func spill() throws {
        if scratch == nil { scratch = try ScratchFile(in: scratchFolder) }
        for window in windows.indices where !windows[window].isEmpty {
            let offset = try windows[window].withUnsafeBytes { try scratch!.append($0) }
            spilled[window].append((offset, windows[window].count))
            windows[window].removeAll(keepingCapacity: true)
        }
        held = 0
    }
}
