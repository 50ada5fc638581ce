import Simulation
import Checkpoints

/// Watches a run go by (the console's progress display, metrics, tests). Called on the run's
/// thread; every method does nothing unless implemented.
public protocol RunObserver: AnyObject {
    /// The run is about to start: `days` in all, nil for a live feed (endless).
    func scheduled(days: Int?)
    /// The paced part starts; `lag` tells how late the schedule is for a simulated second.
    func paced(lag: @escaping (Double) -> Double)
    /// No event is due yet: the schedule has reached simulated second `second` (told every few
    /// tens of milliseconds while the run waits, so that the simulated clock moves with it).
    func waiting(at second: Double)
    func dayStarted(_ events: DayEvents)
    func emitted(_ slice: EventSlice, simulatedSecond: Int64)
    /// The day is over: its events counted, and the state after it.
    func dayCompleted(_ totals: DayTotals, state: SimulationState)
    /// Every event of the run's last day is out; the run goes on to make `count` late and duplicate deliveries still pending.
    func deliveringPending(_ count: Int, after day: Day)
    /// `checkpoint` is now committed (`merchants.json` and its journal); making the sinks durable and committing took `seconds`.
    func committed(_ checkpoint: Checkpoint, seconds: Double)
    /// The run is over (completed or stopped); its summary follows.
    func ended()
}

extension RunObserver {
    public func scheduled(days: Int?) {}
    public func paced(lag: @escaping (Double) -> Double) {}
    public func waiting(at second: Double) {}
    public func dayStarted(_ events: DayEvents) {}
    public func emitted(_ slice: EventSlice, simulatedSecond: Int64) {}
    public func dayCompleted(_ totals: DayTotals, state: SimulationState) {}
    public func deliveringPending(_ count: Int, after day: Day) {}
    public func committed(_ checkpoint: Checkpoint, seconds: Double) {}
    public func ended() {}
}

/// Moments of the commit protocol, named so that a test can have the process killed at one
/// (`REPLAY_KILL_AT` of `replay-fault-injection`, see `KillSwitch`) and check that a re-run repairs everything.
public enum CommitStep: String, CaseIterable, Sendable {
    /// A slice of events was handed to every sink.
    case sliceWritten = "slice-written"
    /// Every sink holds a checkpoint's events durably; `merchants.json` does not say so yet.
    case sinksDurable = "sinks-durable"
    /// A period's closing files are written; the checkpoint that completes it is not.
    case periodFilesWritten = "period-files-written"
    /// The checkpoint is committed (appended to `merchants.journal`, or `merchants.json` replaced).
    case committed
    /// A checkpoint's entry in `merchants.journal` is durable; the run has not gone on yet.
    case journalAppended = "journal-appended"
    /// A whole `merchants.json` replaced the old one (a compaction); the old journal is not removed yet.
    case snapshotReplaced = "snapshot-replaced"

    /// The step of the commit protocol that a moment of writing the state is.
    public init(_ step: SnapshotStep) {
        switch step {
        case .journalAppended: self = .journalAppended
        case .snapshotReplaced: self = .snapshotReplaced
        }
    }
}
