import Records
import Simulation

/// A journal entry's payload, JSON text:
///
/// ```
/// {"cards_dropped": 12,
///  "disputes_due": 41 (absent: 0),
///  "refunds_due": 310 (absent: 0),
///  "state": {…the new state in merchants.json's form, with only the merchants kept whole and the cards appended…},
///  "transacted": [{"date": "2024-01-02", "runs": [1, 480, 1, 519]}],
///  "unfinished_run": {…} or null (absent: unchanged)}
/// ```
///
/// `runs` lists merchant numbers compactly: the first number, how many from it on transacted, how
/// many after those did not, how many did, and so on.
extension CheckpointChange: Decodable {
    private struct OverBudget: Error {}

    private enum CodingKeys: String, CodingKey {
        case cardsDropped = "cards_dropped", disputesDue = "disputes_due", refundsDue = "refunds_due", state, transacted
        case unfinishedRun = "unfinished_run"
    }

    /// The payload; nil when it would be longer than `budget` bytes (it is given up as soon as it is).
    func encoded(within budget: Int) throws -> EncodingBuffer? {
        let out = EncodingBuffer(capacity: 64 * 1024)
        let writer = StateJSONWriter(out: out, spill: { if out.count > budget { throw OverBudget() } })
        do {
            var top = JSONMembers(out, indent: 0, multiline: true)
            top.number("cards_dropped", cardsDropped)
            if disputesDue != 0 { top.number("disputes_due", disputesDue) }
            if refundsDue != 0 { top.number("refunds_due", refundsDue) }
            top.key("state")
            try writer.write(Checkpoint(state: state, unfinishedRun: nil))
            top.key("transacted")
            out.append("[")
            for (index, group) in transacted.enumerated() {
                out.append(index == 0 ? "" : ", ")
                var fields = JSONMembers(out, indent: 2, multiline: false)
                fields.string("date", group.date.description)
                fields.key("runs")
                out.append("[" + Self.runs(of: group.numbers).map(String.init).joined(separator: ", ") + "]")
                fields.close()
                try writer.spill()
            }
            out.append("]")
            switch run {
            case .unchanged:
                break
            case .removed:
                top.text("unfinished_run", "null")
            case let .set(record):
                top.key("unfinished_run")
                try writer.writeRun(record)
            }
            top.close()
            out.append("\n")
        } catch is OverBudget {
            return nil
        }
        return out.count > budget ? nil : out
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        state = try container.decode(SimulationState.self, forKey: .state)
        cardsDropped = try container.decode(Int.self, forKey: .cardsDropped)
        refundsDue = try container.decodeIfPresent(Int.self, forKey: .refundsDue) ?? 0
        disputesDue = try container.decodeIfPresent(Int.self, forKey: .disputesDue) ?? 0
        transacted = try container.decode([TransactedMerchants].self, forKey: .transacted)
        if !container.contains(.unfinishedRun) {
            run = .unchanged
        } else if try container.decodeNil(forKey: .unfinishedRun) {
            run = .removed
        } else {
            run = .set(try container.decode(RunRecord.self, forKey: .unfinishedRun))
        }
    }

    /// `[first, count, gap, count, gap, count, …]` of ranges in increasing order, apart from each other.
    private static func runs(of numbers: [ClosedRange<Int>]) -> [Int] {
        var runs: [Int] = []
        var end = 0
        for range in numbers {
            runs.append(runs.isEmpty ? range.lowerBound : range.lowerBound - end - 1)
            runs.append(range.count)
            end = range.upperBound
        }
        return runs
    }
}

extension CheckpointChange.TransactedMerchants: Decodable {
    private enum CodingKeys: String, CodingKey {
        case date, runs
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        date = try container.decode(Day.self, forKey: .date)
        let runs = try container.decode([Int].self, forKey: .runs)
        guard runs.count % 2 == 0, runs.allSatisfy({ $0 >= 1 && $0 < Int(SimulationState.counterLimit) }) else {
            throw DecodingError.dataCorruptedError(forKey: .runs, in: container,
                                                   debugDescription: "runs of \(date) are not pairs of numbers from 1 (a start or gap, then a count)")
        }
        numbers = []
        var end = 0
        for pair in stride(from: 0, to: runs.count, by: 2) {
            let first = pair == 0 ? runs[0] : end + runs[pair] + 1
            end = first + runs[pair + 1] - 1
            numbers.append(first...end)
        }
    }
}
