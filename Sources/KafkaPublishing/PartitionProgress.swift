import KafkaClient
/// Where one partition stands for a run: what it already holds of the run, so that the run skips
/// it, and the newest record the run published there in order, which a checkpoint records.
///
/// Records of a run sit in a partition in the order of their positions (`replay_seq`, or the
/// delivery mark with disorder), so one position usually says what the partition holds: everything
/// up to it. After a cluster lost records, a partition can also hold records out of that order
/// (published after the loss, before it was noticed): those are skipped one by one when their turn
/// comes.
public struct PartitionProgress<Position: Comparable & Hashable & Sendable>: Sendable {
    /// Every position up to this one is there; nil when none is, or once the run has passed it.
    public private(set) var heldUpTo: Position?
    /// Positions there out of order, not passed yet.
    public private(set) var heldOutOfOrder: Set<Position>
    /// The newest position the run published in order (or found there in order).
    public private(set) var newestInOrder: Position?
    /// The offset of `heldUpTo`'s record when the partition was read back; nil when unknown.
    public let heldUpToOffset: Int64?

    public init(heldUpTo: Position?, offset: Int64? = nil, heldOutOfOrder: Set<Position> = []) {
        self.heldUpTo = heldUpTo
        heldUpToOffset = heldUpTo == nil ? nil : offset
        self.heldOutOfOrder = heldOutOfOrder.filter { position in heldUpTo.map { position > $0 } ?? true }
        newestInOrder = heldUpTo
    }

    /// Nothing held: a partition the run does not write.
    public static var empty: PartitionProgress { PartitionProgress(heldUpTo: nil) }

    /// The run reached `position` in this partition: false when the partition holds it already (the
    /// run skips it), true when it is to be published (it is then the newest in order).
    @inline(__always)
    mutating func admits(_ position: Position) -> Bool {
        if let upTo = heldUpTo {
            if position <= upTo { return false }
            heldUpTo = nil
        }
        if !heldOutOfOrder.isEmpty && heldOutOfOrder.remove(position) != nil { return false }
        newestInOrder = position
        return true
    }
}
