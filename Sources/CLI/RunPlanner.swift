import Clock
import Foundation
import Simulation
import Sinks

/// What a run starts from, which days it covers and on what clock.
struct RunPlan {
    var state: SimulationState
    /// Missing days before a live feed, run at max pace, one file pair each.
    var catchUp: [Period] = []
    /// The periods run on `pace`; endless for a live feed.
    var periods: AnySequence<Period>
    var pace: Pace
    /// The simulated second that is "now" when the paced part starts.
    var anchor: () -> Double
    /// Days in all; nil when endless.
    var dayCount: Int?
    /// Tells the user how to continue a stopped run, given the state it saved.
    var resumeHint: (SimulationState) -> String?
}

/// Turns the command line and the output folder into a `RunPlan`, refusing what cannot run.
struct RunPlanner {
    let command: Generate
    let folder: OutputFolder
    let snapshot: StateSnapshot

    func plan() throws -> RunPlan {
        if command.initial { return try initialPlan() }
        if command.incremental { return try incrementalPlan() }
        return try livePlan()
    }

    private var pace: Pace { command.pace.flatMap(Pace.init(argument:)) ?? (command.realtime ? .factor(1) : .max) }

    private func resumeHint(_ state: SimulationState) -> String? {
        guard let day = state.partialDay?.date ?? state.nextDay else { return nil }
        return "resume with: replay --incremental --date \(day) -f --output-dir \(folder.path)"
    }

    private func initialPlan() throws -> RunPlan {
        let start = try Self.day(command.startDate!, flag: "--start-date")
        let end = try Self.day(command.endDate!, flag: "--end-date")
        guard start <= end else { throw UserError("--end-date \(end) is before --start-date \(start)") }
        let period = Period(start: start, end: end)
        if !command.force {
            for name in [StateSnapshot.fileName, period.fileName("transactions"), period.fileName("merchants")] where folder.contains(name) {
                throw UserError("\(folder.path)/\(name) exists and an initial run would replace it: pass --force, or choose another --output-dir")
            }
        }
        return RunPlan(
            state: SimulationState(seed: command.seed ?? Generate.defaultSeed, scale: command.scale),
            periods: AnySequence([period]), pace: pace, anchor: { Double(start.startSecond) },
            dayCount: period.dayCount, resumeHint: resumeHint)
    }

    private func incrementalPlan() throws -> RunPlan {
        let state = try savedState()
        let last = state.lastGeneratedDate!, expected = state.nextDay!
        let day = try command.date.map { try Self.day($0, flag: "--date") } ?? Self.yesterdayUTC()
        guard day == expected else {
            let problem = day <= last ? "is already generated" : "would leave a gap"
            throw UserError("--date \(day) \(problem): last_generated_date is \(last), so the next day is \(expected)")
        }
        let period = Period(day: day)
        if !command.force {
            let resuming = state.partialDay.map { " (resuming after its first \($0.transactions) transactions)" } ?? ""
            try Confirmation.ask(
                "Generate \(day)\(resuming) into \(folder.path): write \(period.fileName("merchants")) and \(period.fileName("transactions")) and update \(StateSnapshot.fileName).")
        }
        return RunPlan(state: state, periods: AnySequence([period]), pace: pace,
                       anchor: { Double(day.startSecond) }, dayCount: 1, resumeHint: resumeHint)
    }

    private func livePlan() throws -> RunPlan {
        let zone = SimulatedTimeZone(identifier: command.timezone)!
        let localNow = zone.localNow
        let today = Day(ordinal: Int((localNow() / 86_400).rounded(.down)))
        var state = SimulationState(seed: command.seed ?? Generate.defaultSeed, scale: command.scale)
        var catchUp: [Period] = []
        if folder.contains(StateSnapshot.fileName) {
            state = try savedState()
            let next = state.nextDay!
            guard next <= today else {
                throw UserError("\(snapshot.path) is ahead of the clock: last_generated_date \(state.lastGeneratedDate!) is not before today (\(today), \(command.timezone))")
            }
            catchUp = (next.ordinal..<today.ordinal).map { Period(day: Day(ordinal: $0)) }
        }
        let live = sequence(first: Period(day: today)) { Period(day: $0.start.adding(days: 1)) }
        return RunPlan(state: state, catchUp: catchUp, periods: AnySequence(live), pace: pace, anchor: localNow,
                       dayCount: nil, resumeHint: { _ in "resume with: replay --realtime --output-dir \(folder.path)" })
    }

    /// The saved state, checked to continue from: it must have a last day and the same seed.
    private func savedState() throws -> SimulationState {
        let state = try snapshot.load()
        guard state.lastGeneratedDate != nil else {
            throw UserError("\(snapshot.path) has no last_generated_date: run --initial first")
        }
        if let seed = command.seed, seed != state.seed {
            throw UserError("--seed \(seed) differs from the seed \(state.seed) in \(snapshot.path); incremental runs continue the saved simulation")
        }
        return state
    }

    private static func day(_ text: String, flag: String) throws -> Day {
        guard let day = Day(iso: text) else { throw UserError("\(flag) '\(text)' is not a date of the form YYYY-MM-DD") }
        return day
    }

    private static func yesterdayUTC() -> Day {
        Day(ordinal: Int((Date().timeIntervalSince1970 / 86_400).rounded(.down)) - 1)
    }
}
