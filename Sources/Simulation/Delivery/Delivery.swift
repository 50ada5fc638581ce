/// One delivery of a transaction to the stream: when, and which of its deliveries it is.
///
/// Deliveries are totally ordered by `DeliveryMark` (delivery time, then the event's place, then
/// the kind); a run hands them to the stream in that order, so the order in every partition is a
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
    public var name: String {
        switch self {
        case .onTime: "on-time"
        case .late: "late"
        case .duplicate: "duplicate"
        }
    }

    public init?(name: String) {
        guard let kind = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = kind
    }

    public static func < (a: DeliveryKind, b: DeliveryKind) -> Bool { a.rawValue < b.rawValue }
}

/// A delivery's place in the order of a run's deliveries: the run's epoch (its first simulated
/// day, so that a later run's deliveries follow an earlier run's, whose late tail may reach into
/// the later run's days), the simulated second it is delivered, the event's day and index in
/// that day's transactions, and the kind.
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
