import Events
import Simulation

/// What a checkpoint read from `merchants.json` must satisfy besides its state's own rules
/// (`SimulationState.problem`): a record that fits the state, and pending deliveries that are
/// transactions the state has made.
extension Checkpoint {
    /// The first rule the checkpoint breaks, as a phrase; nil when it keeps them all.
    public var problem: String? {
        if let problem = state.problem { return problem }
        guard let run = unfinishedRun else { return nil }
        if let start = run.startDate, let end = run.endDate, end < start { return "unfinished_run ends before it starts" }
        if run.files.values.contains(where: { $0 < 0 }) { return "unfinished_run.files has a negative length" }
        if let kafka = run.kafka {
            guard kafka.topics.count == EventStream.allCases.count, kafka.partitions.isEmpty || kafka.partitions.count == kafka.topics.count,
                  kafka.partitions.allSatisfy({ $0 > 0 }) else {
                return "unfinished_run.kafka does not name two topics with their partition counts"
            }
        }
        for delivery in run.disorder?.pending ?? [] {
            if let problem = problem(of: delivery) {
                return "pending delivery \(delivery.mark.day)/\(delivery.mark.index): \(problem)"
            }
        }
        return nil
    }

    /// Why `delivery` cannot be one this state made; nil when it can.
    private func problem(of delivery: Delivery) -> String? {
        // A delivery of the partial day may come from a payment, merchant or card the state has not counted yet.
        let transaction = delivery.transaction, mark = delivery.mark, numbers = 1..<SimulationState.counterLimit
        guard numbers.contains(transaction.paymentNumber) else { return "payment number out of range" }
        guard numbers.contains(Int64(transaction.merchantNumber)) else { return "merchant number out of range" }
        guard Merchant.terminalRange.contains(Int(transaction.terminalIndex) + 1), transaction.amountCents >= 0,
              (0...10_000).contains(transaction.mdrRate), numbers.contains(transaction.card.number),
              (100_000...999_999).contains(transaction.card.bin) else {
            return "a field out of range"
        }
        let reached = state.partialDay?.date ?? state.lastGeneratedDate
        guard let reached, mark.day <= reached, transaction.timestamp >= mark.day.startSecond,
              transaction.timestamp < mark.day.adding(days: 1).startSecond, mark.deliveredAt >= transaction.timestamp, mark.index >= 0 else {
            return "its times do not fit its day"
        }
        return nil
    }
}
