import Simulation

/// A consecutive run of one day's events, in event-time order. Merchant events of a day all
/// precede its transactions, so a slice is a range of each.
public struct EventSlice: Sendable {
    public let events: DayEvents
    public let merchantEvents: Range<Int>
    public let transactions: Range<Int>

    public init(events: DayEvents, merchantEvents: Range<Int>, transactions: Range<Int>) {
        self.events = events
        self.merchantEvents = merchantEvents
        self.transactions = transactions
    }

    public var count: Int { merchantEvents.count + transactions.count }
}

/// Where events go. The run hands every sink the same slices in the same order, and calls the
/// sinks in the order it was given them: Kafka first (acknowledged), then the files (flushed), the
/// state snapshot last, so that `merchants.json` records only what every other sink holds.
public protocol EventSink: AnyObject {
    /// Takes the next events of the run.
    func write(_ slice: EventSlice) throws
    /// `state` covers every event written so far (a completed day, or a stopped day's progress).
    /// Returns once the sink holds those events durably (flushed to the file, acknowledged by the
    /// broker); the snapshot sink saves `state`.
    func checkpoint(_ state: SimulationState) throws
    /// The run is over. `completed` is false when it stopped early or failed: a sink then keeps
    /// exactly what its last checkpoint covered (whole lines only) and does not pretend the period
    /// is complete.
    func close(state: SimulationState, completed: Bool) throws
}

/// An error whose description is a complete one-line message for the user.
public protocol ReportableError: Error, CustomStringConvertible {}

/// An error a sink reports to the user as one line.
public struct SinkError: ReportableError {
    public let description: String

    public init(_ description: String) { self.description = description }
}
