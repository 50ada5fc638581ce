import Simulation

/// One stream of the simulation's events, declared once: its record's fields, its batch file,
/// its topic, its key, its event time and how its values are encoded. Everything downstream (the
/// run engine's slices, the file and Kafka sinks, the run's record in `merchants.json`, the
/// read-back on a re-run, progress, metrics, the summary, shards) works over the run's list of
/// these (`EventStreams.of` its simulation), and `replay schema` and `--topic` over all of them
/// (`EventStreams.all`), so a new stream is a declaration and the generator that fills its events
/// in `DayEvents`.
///
/// Every stream is keyed by `merchant_id` and partitioned like the others (murmur2 of the key), so
/// that a join of any two of its topics is co-partitioned.
///
/// The per-event loops (`sliceEnd`, `writeRows`, `writeRecords`) are requirements with default
/// implementations, so that each declaration runs them specialized for its own event type.
public protocol EventStream: Sendable {
    associatedtype Event

    /// The stream's name: `replay schema --stream NAME`, `--topic NAME=TOPIC`, the `stream` label of metrics.
    var name: String { get }
    /// What the run's summary calls its events (`transactions`, `merchant events`).
    var eventsNoun: String { get }
    /// Its topic unless `--topic NAME=TOPIC` names another.
    var defaultTopic: String { get }
    /// The fields of its records' values; the JSON object, the Avro record and both schemas follow from them.
    var valueFields: RecordFields { get }
    /// The `schema_version` header: the version of the value layout.
    var schemaVersion: StaticString { get }
    /// Its batch file.
    var batchFile: BatchFile { get }
    /// Where a checkpoint in the middle of a day records how many of the day's events of this stream every sink holds.
    var delivered: WritableKeyPath<PartialDay, Int> & Sendable { get }

    /// The stream's events of a simulated day, in event-time order.
    func events(of day: DayEvents) -> [Event]
    /// The event's simulated (local wall-clock) time, seconds since 1970-01-01T00:00:00.
    func eventTime(of event: Event) -> Int64
    /// The merchant whose `merchant_id` is the record's key.
    func merchantNumber(of event: Event) -> Int
    /// The record's `event_type` header.
    func eventType(of event: Event) -> StaticString
    /// Replaces `buffer`'s content with the event's record value.
    func encodeValue(of event: Event, into buffer: EncodingBuffer, as encoding: ValueEncoding)
    /// Appends the event's CSV row (without the line end) to `line`, for a file written `.eachEvent`.
    func writeRow(of event: Event, to line: CSVLine)
    /// Appends the rows of `period`'s file written `.atPeriodEnd`, from the state at its end, of
    /// the merchants that `owns` (given a merchant number) accepts, each with its line end, calling
    /// `flush` after each.
    func writePeriodRows(of period: Period, state: SimulationState, to line: CSVLine, owns: (Int) -> Bool, flush: () throws -> Void) throws

    /// How many of the day's events belong to this stream.
    func count(in day: DayEvents) -> Int
    /// The time of the day's event `index` of this stream.
    func eventTime(at index: Int, in day: DayEvents) -> Int64
    /// The index after the last event from `start` on (at most `limit` of them) whose time is at
    /// or before `due`; at least `start + 1` when `start` is an event.
    func sliceEnd(in day: DayEvents, from start: Int, dueBy due: Double, limit: Int) -> Int
    /// Writes the CSV rows of the events in `range` that `owns` (given a merchant number) accepts,
    /// each followed by `\n`, calling `flush` after each; returns how many it wrote. Only for `.eachEvent` files.
    func writeRows(_ range: Range<Int>, of day: DayEvents, to line: CSVLine, owns: (Int) -> Bool, flush: () throws -> Void) throws -> Int
    /// Hands the records of the events in `range` (of the part `day`) to `writer`: the key first
    /// (`writer.admits`), and the value only for the records it admits; each with its index in the whole day.
    func writeRecords(_ range: Range<Int>, of day: DayEvents, as encoding: ValueEncoding, key: EncodingBuffer, value: EncodingBuffer,
                      to writer: any RecordWriter) throws
}

/// A stream's batch file, `<stem>_<start>_<end>.csv`, with a header of its fields' names.
public struct BatchFile: Sendable {
    /// When its rows are written.
    public enum Writing: Sendable {
        /// A row per event, as the events happen (`EventStream.writeRow`).
        case eachEvent
        /// Whole and at once when the period is complete, from the state then (`EventStream.writePeriodRows`).
        case atPeriodEnd
    }

    /// The file name's first part (`transactions`).
    public let stem: String
    /// The fields of its rows.
    public let fields: RecordFields
    public let writing: Writing

    public init(stem: String, fields: RecordFields, writing: Writing) {
        self.stem = stem
        self.fields = fields
        self.writing = writing
    }
}

/// Takes a stream's records one at a time (the Kafka sink): first each one's key, to say whether
/// it wants the record (a shard's own partition, not yet published), then its value.
public protocol RecordWriter: AnyObject {
    /// True to take the day's event `index` of the stream (its index in the whole day), whose record has `key`; its value is
    /// encoded only then.
    func admits(index: Int, key: UnsafeRawBufferPointer) -> Bool
    /// The admitted record's value, its event time (simulated, local) and `event_type` header.
    func write(index: Int, eventTime: Int64, eventType: StaticString, value: UnsafeRawBufferPointer) throws
}

extension EventStream {
    public var schemaVersion: StaticString { "1" }

    /// A stream whose file is written at the period's end writes no row per event.
    public func writeRow(of event: Event, to line: CSVLine) {}

    /// A stream whose file has a row per event writes nothing more at the period's end.
    public func writePeriodRows(of period: Period, state: SimulationState, to line: CSVLine, owns: (Int) -> Bool,
                                flush: () throws -> Void) throws {}

    @inlinable
    public func count(in day: DayEvents) -> Int { events(of: day).count }

    @inlinable
    public func eventTime(at index: Int, in day: DayEvents) -> Int64 { eventTime(of: events(of: day)[index]) }

    @inlinable
    public func sliceEnd(in day: DayEvents, from start: Int, dueBy due: Double, limit: Int) -> Int {
        let events = events(of: day)
        let end = min(events.count, start + limit)
        guard due.isFinite else { return end }
        var index = start + 1
        while index < end && Double(eventTime(of: events[index])) <= due { index += 1 }
        return index
    }

    @inlinable
    public func writeRows(_ range: Range<Int>, of day: DayEvents, to line: CSVLine, owns: (Int) -> Bool,
                          flush: () throws -> Void) throws -> Int {
        var written = 0
        try events(of: day).withUnsafeBufferPointer { events in
            for index in range where owns(merchantNumber(of: events[index])) {
                writeRow(of: events[index], to: line)
                line.buffer.write(reserving: 1) { $0.put(UInt8(ascii: "\n")) }
                written += 1
                try flush()
            }
        }
        return written
    }

    @inlinable
    public func writeRecords(_ range: Range<Int>, of day: DayEvents, as encoding: ValueEncoding, key: EncodingBuffer, value: EncodingBuffer,
                             to writer: any RecordWriter) throws {
        let first = day.earlier[keyPath: delivered]
        try events(of: day).withUnsafeBufferPointer { events in
            for index in range {
                let event = events[index]
                key.removeAll()
                key.write(reserving: 24) { $0.put(merchantId: merchantNumber(of: event)) }
                guard writer.admits(index: first + index, key: key.bytes) else { continue }
                encodeValue(of: event, into: value, as: encoding)
                try writer.write(index: first + index, eventTime: eventTime(of: event), eventType: eventType(of: event), value: value.bytes)
            }
        }
    }
}
