import Records
import Foundation
import PropertyBased
import Simulation
import Checkpoints
import Testing

/// A `merchants.json` that the simulation could not have written is refused in one line when it
/// is loaded, before a day is simulated from it; whatever is in the file, loading it either gives
/// a state the simulation runs from, or that one-line refusal: never a crash.
@Suite struct StateValidationTests {
    /// A folder holding the checkpoint of a 3-day run stopped on its fourth day, with late and
    /// duplicate deliveries pending, and that file's JSON.
    static func savedCheckpoint() throws -> (folder: String, json: [String: Any]) {
        let run = simulate(from: "2024-03-01", days: 4)
        var state = run.state
        let day = run.days[3]
        // Stopped on the fourth day: the state before it, with the day's first 100 transactions delivered.
        var before = simulate(from: "2024-03-01", days: 3).state
        before.partialDay = PartialDay(date: day.day, merchantEvents: day.merchantEvents.count, transactions: 100)
        state = before
        let epoch = DeliveryEpoch(first: Day(iso: "2024-03-01")!, last: Day(iso: "2024-03-05")!)
        let plan = DeliveryPlan(settings: DisorderSettings(lateFraction: 1, maxLatenessSeconds: 86_400, duplicateFraction: 0.5), seed: 7, zone: .utc)
        let pending = day.transactions.prefix(100).enumerated().flatMap { index, transaction in
            let (first, second) = plan.deliveries(of: transaction, day: day.day, index: index, epoch: epoch.first)
            return [first] + (second.map { [$0] } ?? [])
        }.sorted { $0.mark < $1.mark }
        let record = RunRecord(command: .initial, startDate: epoch.first, endDate: epoch.last, timeZone: "UTC",
                               kafka: .init(brokers: "k1:9092", topics: ["m", "t"], partitions: [8, 8]),
                               files: ["transactions_2024-03-01_2024-03-05.csv": 12_345],
                               disorder: DisorderRecord(settings: plan.settings, writesLog: false, epoch: epoch, pending: pending))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("validation-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let snapshot = StateSnapshot(folder: folder)
        try snapshot.save(Checkpoint(state: state, unfinishedRun: record))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: snapshot.path))) as! [String: Any]
        return (folder, json)
    }

    /// Writes `json` as `merchants.json` in `folder` and loads it.
    func load(_ json: [String: Any], in folder: String) throws -> Checkpoint {
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: folder + "/merchants.json"))
        return try StateSnapshot(folder: folder).load()
    }

    /// Edits that no run makes, and what the refusal says of each.
    enum Corruption: CaseIterable, Sendable {
        case negativeTotal, negativeCardCounter, merchantCounterOff, merchantRemoved, noTerminal, versionRenumbered, foreignMerchantId
        case negativePartialDay, partialDayAhead, zeroScale, pendingNegativePayment, negativeFileLength, hugeLatitude, hugeMonthPlan

        var phrase: String {
            switch self {
            case .negativeTotal: "total_transactions -5 is negative"
            case .negativeCardCounter: "card_counter"
            case .merchantCounterOff: "merchant_counter"
            case .merchantRemoved: "merchant"
            case .noTerminal: "terminal_count 0"
            case .versionRenumbered: "versions must be numbered"
            case .foreignMerchantId: "merchant_id"
            case .negativePartialDay: "negative"
            case .partialDayAhead: "partial_day"
            case .zeroScale: "scale"
            case .pendingNegativePayment: "payment number"
            case .negativeFileLength: "negative length"
            case .hugeLatitude: "latitude"
            case .hugeMonthPlan: "month_plan"
            }
        }

        func apply(to json: inout [String: Any]) {
            func edit<Value>(_ key: String, as _: Value.Type, _ change: (inout Value) -> Void) {
                var value = json[key] as! Value
                change(&value)
                json[key] = value
            }
            func editPending(_ change: (inout [String: Any]) -> Void) {
                edit("unfinished_run", as: [String: Any].self) { run in
                    var disorder = run["disorder"] as! [String: Any]
                    var pending = disorder["pending"] as! [[String: Any]]
                    change(&pending[0])
                    disorder["pending"] = pending
                    run["disorder"] = disorder
                }
            }
            switch self {
            case .negativeTotal: json["total_transactions"] = -5
            case .negativeCardCounter: json["card_counter"] = -1
            case .merchantCounterOff: json["merchant_counter"] = (json["merchant_counter"] as! Int) + 3
            case .merchantRemoved: edit("merchants", as: [String: Any].self) { $0["M000002"] = nil }
            case .noTerminal: edit("merchant_details", as: [String: [String: Any]].self) { $0["M000003"]!["terminal_count"] = 0 }
            case .versionRenumbered: edit("merchants", as: [String: [[String: Any]]].self) { $0["M000004"]![0]["version"] = 7 }
            case .foreignMerchantId:
                edit("merchants", as: [String: [[String: Any]]].self) { $0["M000005"]![0]["merchant_id"] = String(repeating: "M", count: 200) }
            case .negativePartialDay: edit("partial_day", as: [String: Any].self) { $0["transactions_delivered"] = -1 }
            case .partialDayAhead: edit("partial_day", as: [String: Any].self) { $0["date"] = "2024-03-09" }
            case .zeroScale: json["scale"] = 0
            case .pendingNegativePayment: editPending { $0["payment_number"] = -4 }
            case .negativeFileLength: edit("unfinished_run", as: [String: Any].self) { $0["files"] = ["transactions_2024-03-01_2024-03-05.csv": -3] }
            case .hugeLatitude: edit("merchant_details", as: [String: [String: Any]].self) { $0["M000006"]!["latitude"] = 1e300 }
            case .hugeMonthPlan: edit("month_plan", as: [String: Any].self) { $0["new_merchants"] = Int.max }
            }
        }
    }

    @Test(arguments: Corruption.allCases)
    func aStateTheSimulationCouldNotHaveWrittenIsRefused(corruption: Corruption) throws {
        let (folder, valid) = try Self.savedCheckpoint()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(throws: Never.self) { try load(valid, in: folder) }
        var json = valid
        corruption.apply(to: &json)
        let error = #expect(throws: SinkError.self, "\(corruption)") { try load(json, in: folder) }
        #expect(error?.description.contains("is corrupt") == true && error?.description.contains(corruption.phrase) == true,
                "\(corruption): \(error?.description ?? "")")
        #expect(error?.description.contains("\n") == false)
    }

    /// Random edits of a valid file: a number changed to another (negative, huge, fractional), a key
    /// removed, a value swapped for one of another type. Each gives a refusal that names the file, or
    /// a state from which the next day simulates and encodes without a crash.
    @Test func anyEditedFileLoadsIntoAStateThatRunsOrIsRefusedInOneLine() async throws {
        let (folder, valid) = try Self.savedCheckpoint()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let paths = Self.leafPaths(of: valid)
        let replacements: [Any] = [-1, 0, 1, -5, 7, 99_999_999_999, Int.max, Int.min, 0.5, -0.25, 1e300, "x", "", "2024-03-09", "9999-12-31",
                                   "0001-01-01", true, NSNull(), [Any](), [String: Any]()]
        await propertyCheck(count: 400, input: Gen.int(in: 0...(paths.count - 1)), Gen.int(in: 0...(replacements.count))) { pathIndex, choice in
            var json = valid
            let path = paths[pathIndex]
            Self.set(&json, at: path, to: choice == replacements.count ? nil : replacements[choice])
            do {
                let checkpoint = try load(json, in: folder)
                Self.simulateNextDay(from: checkpoint.state)
            } catch let error as SinkError {
                #expect(error.description.hasPrefix(folder) && !error.description.contains("\n"), "\(path): \(error)")
            } catch {
                Issue.record("\(path): not a one-line refusal: \(error)")
            }
        }
    }

    /// Simulates the state's next day (or its partial day) and writes every event as a CSV row, the ways a run would use it.
    static func simulateNextDay(from state: SimulationState) {
        var simulator = Simulator(state: { var next = state; next.partialDay = nil; return next }())
        guard let day = state.nextDay ?? state.partialDay?.date else { return }
        let events = simulator.simulate(day)
        let buffer = EncodingBuffer(capacity: 1 << 16)
        for transaction in events.transactions.prefix(50) {
            buffer.removeAll()
            TransactionRow.write(transaction, to: CSVLine(buffer))
        }
        for event in events.merchantEvents.prefix(50) {
            buffer.removeAll()
            MerchantRow.write(event.version, lastTransactionDate: event.lastTransactionDate, to: CSVLine(buffer))
        }
    }

    /// Every path to a leaf value of `json` (dictionary keys and array indices), sampled evenly to at most 3,000.
    static func leafPaths(of json: Any, prefix: [AnyHashable] = []) -> [[AnyHashable]] {
        var paths: [[AnyHashable]] = []
        if let object = json as? [String: Any] {
            for key in object.keys.sorted() { paths += [prefix + [key]] + leafPaths(of: object[key]!, prefix: prefix + [key]) }
        } else if let array = json as? [Any] {
            for (index, element) in array.enumerated() { paths += [prefix + [index]] + leafPaths(of: element, prefix: prefix + [index]) }
        }
        guard prefix.isEmpty, paths.count > 3_000 else { return paths }
        let step = Double(paths.count) / 3_000
        return (0..<3_000).map { paths[Int(Double($0) * step)] }
    }

    /// Replaces (nil: removes) the value at `path`.
    static func set(_ json: inout [String: Any], at path: [AnyHashable], to value: Any?) {
        func edit(_ node: Any, _ rest: ArraySlice<AnyHashable>) -> Any? {
            guard let head = rest.first else { return value }
            if var object = node as? [String: Any], let key = head as? String {
                object[key] = object[key].flatMap { edit($0, rest.dropFirst()) } ?? (rest.count == 1 ? value : nil)
                return object
            }
            if var array = node as? [Any], let index = head as? Int, array.indices.contains(index) {
                if let edited = edit(array[index], rest.dropFirst()) { array[index] = edited } else { array.remove(at: index) }
                return array
            }
            return node
        }
        json = edit(json, path[...]) as? [String: Any] ?? json
    }
}
