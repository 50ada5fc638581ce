import Simulation

/// What makes a Kafka record findable again: the simulation it comes from (`replay_run` header)
/// and its place in that simulation (`replay_seq` header).
///
/// Both follow from the run's inputs and the event's position only (never from the wall clock,
/// the process or randomness), so a killed run that is run again, a run split into an initial
/// period and incremental days, or a sharded replay stamp every event exactly as one
/// uninterrupted run does. A re-run reads back the newest record of its simulation in each
/// partition and skips every event up to it.
public enum RecordIdentity {
    public static let runHeader = "replay_run"
    public static let sequenceHeader = "replay_seq"
    /// On transaction records of a run with disorder: `EPOCH/DELIVERED_AT/KIND`
    /// (`2024-01-01..2024-01-05/2024-01-05T10:00:05/late`; a live feed's epoch is open,
    /// `2024-01-01..`), which with `replay_seq` gives the delivery's `DeliveryMark`: a duplicate's
    /// record differs from its first delivery's in this header only.
    public static let deliveryHeader = "replay_delivery"

    /// The simulation's id: 16 hex digits of an FNV-1a hash of the seed, the scale, the first
    /// simulated day and the time zone (which sets the records' timestamps), the disorder
    /// settings when there are any (another disorder delivers in another order: another run), and
    /// the lifecycle's rates when a scenario changed them (other rates make other records).
    public static func runId(seed: UInt64, scale: Double, firstDay: Day, timeZone: String, disorder: DisorderSettings? = nil,
                             scenario: LifecycleScenario = .standard) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let delivery = disorder.map { " disorder=\($0)" } ?? ""
        let rates = scenario == .standard ? "" : " scenario=" + scenario.description
        for byte in "replay-run/1 seed=\(seed) scale=\(scale) first=\(firstDay) zone=\(timeZone)\(delivery)\(rates)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Replaces `buffer`'s content with the `replay_seq` value of event `index` of `day`.
    @inlinable @inline(__always)
    public static func encodeSequence(day: Day, index: Int, into buffer: EncodingBuffer) {
        encodeSequencePrefix(day: day, into: buffer)
        completeSequence(index: index, in: buffer)
    }

    /// Length of the `YYYY-MM-DD/` prefix of a `replay_seq` value.
    @usableFromInline static let prefixLength = 11

    /// Replaces `buffer`'s content with the part of `day`'s `replay_seq` values that all its events
    /// share (`YYYY-MM-DD/`), so that a sink formats the date once per day, not once per record.
    @inlinable
    public static func encodeSequencePrefix(day: Day, into buffer: EncodingBuffer) {
        buffer.removeAll()
        buffer.write(reserving: 16) { cursor in
            cursor.put(day: day)
            cursor.put(UInt8(ascii: "/"))
        }
    }

    /// Completes a prefix from `encodeSequencePrefix` (dropping an earlier index) with `index`.
    @inlinable @inline(__always)
    public static func completeSequence(index: Int, in buffer: EncodingBuffer) {
        buffer.removeAll(keepingFirst: prefixLength)
        buffer.write(reserving: 24) { $0.put(digitsOf: index) }
    }

    /// Replaces `buffer`'s content with the `replay_delivery` value of `mark`, a delivery of a run whose epoch is `run`.
    @inlinable
    public static func encodeDelivery(_ mark: DeliveryMark, of run: DeliveryEpoch, into buffer: EncodingBuffer) {
        buffer.removeAll()
        buffer.write(reserving: 64) { cursor in
            cursor.put(day: run.first)
            cursor.put(UInt8(ascii: "."))
            cursor.put(UInt8(ascii: "."))
            if let last = run.last { cursor.put(day: last) }
            cursor.put(UInt8(ascii: "/"))
            cursor.put(timestamp: mark.deliveredAt)
            cursor.put(UInt8(ascii: "/"))
            cursor.put(mark.kind.staticName)
        }
    }

    /// The mark of a record and its run's epoch, from its `replay_seq` and `replay_delivery`
    /// values; nil unless both are well formed.
    public static func delivery(sequence: String, delivery: String) -> (mark: DeliveryMark, run: DeliveryEpoch)? {
        guard let place = EventPosition(sequence) else { return nil }
        let parts = delivery.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, let run = DeliveryEpoch(String(parts[0])), let kind = DeliveryKind(name: String(parts[2])),
              let deliveredAt = localSeconds(String(parts[1])) else { return nil }
        return (DeliveryMark(epoch: run.first, deliveredAt: deliveredAt, day: place.day, index: place.index, kind: kind), run)
    }

    /// Seconds since 1970-01-01T00:00:00 of `YYYY-MM-DDTHH:MM:SS`; nil for anything else.
    static func localSeconds(_ text: String) -> Int64? {
        let parts = text.split(separator: "T", omittingEmptySubsequences: false)
        guard parts.count == 2, let day = Day(iso: String(parts[0])) else { return nil }
        let clock = parts[1].split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard clock.count == 3, parts[1].count == 8, let hour = clock[0], let minute = clock[1], let second = clock[2],
              (0..<24).contains(hour), (0..<60).contains(minute), (0..<60).contains(second) else { return nil }
        return day.startSecond + Int64(hour * 3_600 + minute * 60 + second)
    }
}

/// An event's place in its simulation (the `replay_seq` header): its day and its index in that
/// day's events of its stream, in emission order (0 = the first). Ordered by day, then index.
public struct EventPosition: Comparable, Hashable, Sendable, CustomStringConvertible {
    public let day: Day
    public let index: Int

    public init(day: Day, index: Int) {
        self.day = day
        self.index = index
    }

    /// Parses `YYYY-MM-DD/N`; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let day = Day(iso: String(parts[0])), let index = Int(parts[1]), index >= 0 else { return nil }
        self.init(day: day, index: index)
    }

    public static func < (a: EventPosition, b: EventPosition) -> Bool { (a.day, a.index) < (b.day, b.index) }

    /// `YYYY-MM-DD/N`.
    public var description: String { "\(day)/\(index)" }
}
