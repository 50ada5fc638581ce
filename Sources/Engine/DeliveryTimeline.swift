import HeapModule
import Simulation

/// The late and duplicate deliveries a run has scheduled and not made yet, released in mark order
/// as the simulated clock reaches them. Events delivered on time never wait here: the run
/// delivers them as it reaches them, after every pending delivery due by then (whose marks are
/// lower, since all of them belong to events already passed).
final class DeliveryTimeline {
    private let plan: DeliveryPlan
    private let epoch: Day
    private var pending: Heap<Pending>
    /// Late and duplicate deliveries this process made (for the summary).
    private(set) var delivered = (late: 0, duplicates: 0)

    /// `epoch`: the first day of the run's `DeliveryEpoch`.
    init(plan: DeliveryPlan, epoch: Day, pending: [Delivery]) {
        self.plan = plan
        self.epoch = epoch
        self.pending = Heap(pending.map(Pending.init))
    }

    /// Every pending delivery, in mark order (what a checkpoint keeps).
    var snapshot: [Delivery] { pending.unordered.map(\.delivery).sorted { $0.mark < $1.mark } }

    var count: Int { pending.count }

    /// The simulated second of the next pending delivery; nil when none is pending.
    var nextTime: Int64? { pending.min?.delivery.mark.deliveredAt }

    /// Removes and returns the next pending delivery if it is due by `second`.
    func popDue(by second: Int64) -> Delivery? {
        guard let next = pending.min, next.delivery.mark.deliveredAt <= second else { return nil }
        pending.removeMin()
        if next.delivery.mark.kind == .late { delivered.late += 1 } else { delivered.duplicates += 1 }
        return next.delivery
    }

    /// Transaction `index` of `day` reached its event time: returns its delivery if it is on time
    /// and schedules its late and duplicate ones.
    func reach(_ transaction: Transaction, day: Day, index: Int) -> Delivery? {
        let (first, second) = plan.deliveries(of: transaction, day: day, index: index, epoch: epoch)
        if let second { pending.insert(Pending(second)) }
        guard first.mark.kind == .onTime else {
            pending.insert(Pending(first))
            return nil
        }
        return first
    }

    /// Heap order: by mark.
    private struct Pending: Comparable {
        let delivery: Delivery

        init(_ delivery: Delivery) { self.delivery = delivery }

        static func < (a: Pending, b: Pending) -> Bool { a.delivery.mark < b.delivery.mark }
        static func == (a: Pending, b: Pending) -> Bool { a.delivery.mark == b.delivery.mark }
    }
}
