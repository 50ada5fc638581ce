import Records
import Simulation

/// A consecutive run of one day's events, in event-time order within each stream: for each stream
/// of the run (the first ones of `EventStreams.all`, in order) a range of the events of that stream in `events`, the day or the
/// part of it being handed out. With disorder,
/// `deliveries` are the deliveries of the delivered stream (`EventStreams.deliveredIndex`) that
/// fall due with the slice, in mark order (late ones may belong to earlier days): a Kafka sink
/// publishes those instead of that stream's range, while the files still take the range.
public struct EventSlice: Sendable {
    public let events: DayEvents
    /// Per stream, the range of its events in `events`.
    public let ranges: [Range<Int>]
    /// nil when every event is delivered once, at its event time.
    public let deliveries: [Delivery]?

    public init(events: DayEvents, ranges: [Range<Int>], deliveries: [Delivery]? = nil) {
        self.events = events
        self.ranges = ranges
        self.deliveries = deliveries
    }

    /// Per stream of the run, the slice's events as indices in the whole day: `ranges`
    /// are within `events`, which may be a part of the day.
    public var dayRanges: [Range<Int>] {
        zip(EventStreams.all, ranges).map { stream, range in
            let first = events.earlier[keyPath: stream.delivered]
            return first + range.lowerBound..<first + range.upperBound
        }
    }

    /// Events in the slice, over every stream.
    public var count: Int { ranges.reduce(0) { $0 + $1.count } }
}

/// Where events go. The run hands every sink the same slices in the same order. At a checkpoint
/// it makes every sink durable in the order it was given them (Kafka first, then the files) and
/// only then commits `merchants.json`, so that the state records only what every sink holds.
public protocol EventSink: AnyObject {
    /// Takes the next events of the run.
    func write(_ slice: EventSlice) throws
    /// Returns once everything written so far is durable: acknowledged by the broker, on disk.
    func makeDurable() throws
    /// Before the run commits its completion, after `makeDurable`: checks that everything made
    /// durable is still there (a broker can lose what it acknowledged). Does nothing by default.
    func confirmDurable() throws
    /// After `makeDurable`: notes in the run's record what a re-run needs to check that the sink
    /// still holds what the checkpoint says (what a Kafka topic held). Does nothing by default.
    func noteProgress(in record: inout RunRecord)
    /// The run is over. `completed` is false when it stopped early or failed: a sink then keeps
    /// at most what it last made durable (whole lines only).
    func close(completed: Bool) throws
}

extension EventSink {
    public func confirmDurable() throws {}
    public func noteProgress(in record: inout RunRecord) {}
}

/// The files of one period: events go in as they happen; the period's end adds what only the
/// end knows (the merchants file).
public protocol PeriodFiles: EventSink {
    /// File name → byte length that the last `makeDurable` covers, for the files still being written.
    var durableLengths: [String: Int] { get }
    /// Writes the period's closing files, makes everything durable and closes.
    func complete(state: SimulationState) throws
}

/// An error whose description is a complete one-line message for the user.
public protocol ReportableError: Error, CustomStringConvertible {}

/// An error a sink reports to the user as one line.
public struct SinkError: ReportableError {
    public let description: String

    public init(_ description: String) { self.description = description }
}
