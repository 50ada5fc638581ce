import Engine
import Runner
import SimulatedClock
import Logging
import Records
import Simulation
import Checkpoints
#if canImport(Glibc)
import Glibc
#endif

/// Tells a person how the run is going: a progress bar on a terminal (simulated date, days
/// done/total, events/s, ETA; in a live feed the simulated time and the lag behind schedule), a
/// plain line every few seconds otherwise, nothing with `--quiet`.
final class ProgressDisplay: RunObserver {
    enum Style { case bar, lines, silent }

    private let style: Style
    private let logger: Logger
    private let clock = MonotonicClock()
    /// When the run proper began (the rates leave out the start: connecting, reading topics back).
    private var startedAt: Double
    private var lastRender = -Double.infinity
    private var barShown = false
    /// Days the run will simulate; nil for a live feed, which runs until stopped.
    private var totalDays: Int?
    /// How late the pacer is for a simulated second; set when the paced part starts.
    private var lagOf: ((Double) -> Double)?
    private var days = 0
    /// Events emitted, every stream together.
    private var emitted = 0

    /// `bar: false` writes plain lines even on a terminal (for a log format that is not a person's).
    init(quiet: Bool, logger: Logger, bar: Bool) {
        style = quiet ? .silent : (bar && isatty(STDERR_FILENO) == 1 ? .bar : .lines)
        self.logger = logger
        startedAt = clock.now()
    }

    func scheduled(days: Int?) {
        totalDays = days
        startedAt = clock.now()
    }

    func paced(lag: @escaping (Double) -> Double) {
        lagOf = lag
    }

    func waiting(at second: Double) {
        render(simulatedSecond: second)
    }

    func emitted(_ slice: EventSlice, simulatedSecond: Int64) {
        emitted += slice.ranges.reduce(0) { $0 + $1.count }
        render(simulatedSecond: Double(simulatedSecond))
    }

    func dayCompleted(_ totals: DayTotals, state: SimulationState) {
        days += 1
        clearBar()
        logger.debug("\(DayFigures(totals: totals, state: state))")
        render(simulatedSecond: Double(totals.day.adding(days: 1).startSecond), force: style == .bar)
    }

    func deliveringPending(_ count: Int, after day: Day) {
        clearBar()
        logger.info("\(day) is over: making the \(count) late and duplicate deliveries still pending")
    }

    func ended() {
        clearBar()
    }

    private func render(simulatedSecond: Double, force: Bool = false) {
        guard style != .silent else { return }
        let now = clock.now()
        guard force || now - lastRender >= (style == .bar ? 0.2 : 5) else { return }
        lastRender = now
        let elapsed = max(now - startedAt, 1e-9)
        var parts: [String] = []
        if style == .bar, let totalDays {
            let filled = Int(min(1, Double(days) / Double(max(totalDays, 1))) * 20)
            parts.append("[" + String(repeating: "#", count: filled) + String(repeating: "-", count: 20 - filled) + "]")
        }
        parts.append(Self.timestamp(simulatedSecond))
        if let totalDays { parts.append("\(days)/\(totalDays) days") }
        parts.append("\(Int(Double(emitted) / elapsed)) events/s")
        if let totalDays, days > 0 {
            parts.append("ETA \((elapsed / Double(days) * Double(totalDays - days)).twoDecimals) s")
        } else if totalDays == nil, let lagOf {
            parts.append("lag \((max(0, lagOf(simulatedSecond)) * 1000).twoDecimals) ms")
        }
        let line = parts.joined(separator: "  ")
        if style == .bar {
            StandardError.write("\r\u{1B}[K" + line)
            barShown = true
        } else {
            logger.info("progress: \(line)")
        }
    }

    private func clearBar() {
        guard barShown else { return }
        StandardError.write("\r\u{1B}[K")
        barShown = false
    }

    /// `YYYY-MM-DDTHH:MM:SS` of a simulated second.
    static func timestamp(_ second: Double) -> String {
        let whole = Int64(second.rounded(.down))
        let day = Day(ordinal: Int(whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400))
        let of = Int(whole - Int64(day.ordinal) * 86_400)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(day)T\(two(of / 3600)):\(two(of / 60 % 60)):\(two(of % 60))"
    }
}

/// One line of `--debug` output for a day.
struct DayFigures: CustomStringConvertible {
    let totals: DayTotals
    let state: SimulationState

    var description: String {
        "\(totals.day): \(totals.transactions) transactions (\(totals.declined) declined, \(totals.onStoredCards) on stored cards), "
            + "merchants +\(totals.merchantsCreated) ~\(totals.merchantsUpdated) -\(totals.merchantsChurned), \(state.activeMerchantCount) active, "
            + "\(state.storedCards.count) stored cards"
    }
}
