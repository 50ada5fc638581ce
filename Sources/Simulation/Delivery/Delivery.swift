/// One delivery of a transaction to the stream: when, and which of its deliveries it is.
///
/// Deliveries are totally ordered by `DeliveryMark` (the run's first day, the delivery time, the
/// event's place, the kind); a run hands them to the stream in that order, so the order in every partition is a
/// function of the inputs alone, and a re-run can tell from a partition's newest record which of
/// its deliveries are already there.
public struct Delivery: Equatable, Sendable {
    public var mark: DeliveryMark
    public var transaction: Transaction

    public init(mark: DeliveryMark, transaction: Transaction) {
        self.mark = mark
        self.transaction = transaction
    }
}

/// Which delivery of a transaction a record is.
public enum DeliveryKind: UInt8, CaseIterable, Comparable, Sendable {
    /// The only delivery, at event time.
    case onTime = 0
    /// The first delivery, held back past event time.
    case late = 1
    /// A second delivery shortly after the first (an upstream retry).
    case duplicate = 2

    /// `on-time`, `late`, `duplicate`: the disorder log's `kind` and the `replay_delivery` header's last part.
    public var staticName: StaticString {
        switch self {
        case .onTime: "on-time"
        case .late: "late"
        case .duplicate: "duplicate"
        }
    }

    public var name: String { staticName.description }

    public init?(name: String) {
        guard let kind = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = kind
    }

    public static func < (a: DeliveryKind, b: DeliveryKind) -> Bool { a.rawValue < b.rawValue }
}

/// Where a run's deliveries stand among other runs' of the same simulation: `first`, the first day
/// of its delivery order (its first simulated day, or that of the run it took over with `-f`),
/// orders them (a later run's follow an earlier run's, whose late tail may reach into the later
/// run's days); `last`, the last day of a history (nil for a live feed), is where the run stops
/// following the one endless order of the simulation's deliveries: after that day's midnight it
/// makes all its pending deliveries at once, before any later day's event.
public struct DeliveryEpoch: Hashable, Sendable, CustomStringConvertible {
    public var first: Day
    public var last: Day?

    public init(first: Day, last: Day?) {
        self.first = first
        self.last = last
    }

    /// `2024-01-01..2024-01-05`, or `2024-01-01..` for a live feed.
    public var description: String { "\(first)..\(last.map(\.description) ?? "")" }

    /// Parses `description`; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1].isEmpty, let first = Day(iso: String(parts[0])) else { return nil }
        if parts[2].isEmpty {
            self.init(first: first, last: nil)
        } else {
            guard let last = Day(iso: String(parts[2])), last >= first else { return nil }
            self.init(first: first, last: last)
        }
    }
}

/// A delivery's place in the order of a run's deliveries: its run's epoch (`DeliveryEpoch.first`),
/// the simulated second it is delivered, the event's day and index in that day's transactions,
/// and the kind.
public struct DeliveryMark: Comparable, Hashable, Sendable {
    public var epoch: Day
    public var deliveredAt: Int64
    public var day: Day
    public var index: Int
    public var kind: DeliveryKind

    public init(epoch: Day, deliveredAt: Int64, day: Day, index: Int, kind: DeliveryKind) {
        self.epoch = epoch
        self.deliveredAt = deliveredAt
        self.day = day
        self.index = index
        self.kind = kind
    }

    public static func < (a: DeliveryMark, b: DeliveryMark) -> Bool {
        (a.epoch, a.deliveredAt, a.day, a.index, a.kind) < (b.epoch, b.deliveredAt, b.day, b.index, b.kind)
    }
}
