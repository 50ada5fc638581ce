import Records
import Simulation

/// What a checkpoint read from `merchants.json` must satisfy besides its state's own rules
/// (`SimulationState.problem`): a record that fits the state, and pending deliveries that are
/// transactions the state has made.
extension Checkpoint {
    /// The first rule the checkpoint breaks, as a phrase; nil when it keeps them all.
    public var problem: String? {
        if let problem = state.problem { return problem }
        if !state.lifecycle, let partial = state.partialDay, partial.authorizations != 0 || partial.refunds != 0 || partial.disputes != 0
            || partial.payouts != 0 {
            return "partial_day counts lifecycle events delivered, but the simulation has no lifecycle"
        }
        if !state.lifecycle, state.scenario != .standard { return "it has a scenario, but the simulation has no lifecycle" }
        guard let run = unfinishedRun else { return nil }
        if let start = run.startDate, let end = run.endDate, end < start { return "unfinished_run ends before it starts" }
        if run.files.values.contains(where: { $0 < 0 }) { return "unfinished_run.files has a negative length" }
        if let kafka = run.kafka {
            let streams = EventStreams.count(lifecycle: state.lifecycle)
            guard kafka.topics.count == streams, kafka.partitions.isEmpty || kafka.partitions.count == kafka.topics.count,
                  kafka.partitions.allSatisfy({ $0 > 0 }) else {
                return "unfinished_run.kafka does not name a topic per stream (\(streams)) with their partition counts"
            }
            if let publication = kafka.publication, let problem = Self.problem(of: publication, topics: streams, partitions: kafka.partitions) {
                return "unfinished_run.kafka.publication \(problem)"
            }
        }
        for delivery in run.disorder?.pending ?? [] {
            if let problem = problem(of: delivery) {
                return "pending delivery \(delivery.mark.day)/\(delivery.mark.index): \(problem)"
            }
        }
        return nil
    }

    /// Why `publication` cannot be what a run recorded of topics with `partitions`; nil when it can.
    private static func problem(of publication: RunRecord.Publication, topics: Int, partitions: [Int]) -> String? {
        guard publication.newest.count == topics, publication.offsets.count == topics, publication.held.count == topics else {
            return "does not have an entry for each topic"
        }
        for topic in 0..<topics {
            let count = partitions.isEmpty ? publication.newest[topic].count : partitions[topic]
            guard publication.newest[topic].count == count, publication.offsets[topic].count == count,
                  publication.offsets[topic].allSatisfy({ ($0 ?? 0) >= 0 }) else {
                return "does not have an entry for each partition"
            }
            guard publication.newest[topic].allSatisfy({ $0.map(isPosition) ?? true }) else { return "holds a position that is not one" }
            for entry in publication.held[topic] {
                let parts = entry.split(separator: " ", maxSplits: 1)
                guard parts.count == 2, let partition = Int(parts[0]), (0..<count).contains(partition), isPosition(String(parts[1])) else {
                    return "holds a held record that is not a partition and a position"
                }
            }
        }
        return nil
    }

    /// A record's place as a checkpoint records it: `replay_seq`, or with disorder `replay_seq replay_delivery`.
    private static func isPosition(_ text: String) -> Bool {
        let parts = text.split(separator: " ", maxSplits: 1)
        if parts.count == 1 { return EventPosition(text) != nil }
        return RecordIdentity.delivery(sequence: String(parts[0]), delivery: String(parts[1])) != nil
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
