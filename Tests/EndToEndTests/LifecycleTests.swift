import Foundation
import Testing

/// The payment lifecycle (`--lifecycle`) through the real binary: the authorizations file and
/// topic follow the transactions row for row, refunds and disputes follow approved payments of
/// the same or an earlier run, a simulation keeps its lifecycle from run to run, and a run killed at any moment
/// and run again is exact in the files and in Kafka (read back with kcat from `replay broker`).
@Suite(.serialized) struct LifecycleTests {
    let days = ["--start-date", "2024-01-01", "--end-date", "2024-01-03"]
    let period = "2024-01-01_2024-01-03"

    /// Each authorization row is its transaction row's (same position): the same payment, time,
    /// merchant, terminal, card and amount, with a response code that agrees with payment_status.
    func expectAuthorizationsFollow(_ transactions: CSVTable, _ authorizations: CSVTable) {
        #expect(authorizations.rows.count == transactions.rows.count && !transactions.rows.isEmpty)
        var declined = 0
        for (payment, authorization) in zip(transactions.rows, authorizations.rows) {
            let pairs = [("payment_id", "payment_id"), ("payment_timestamp", "authorization_timestamp"), ("merchant_id", "merchant_id"),
                         ("terminal_id", "terminal_id"), ("card_profile_id", "card_profile_id"), ("card_brand", "card_brand"),
                         ("payment_type", "payment_type"), ("payment_amount", "amount"), ("payment_status", "payment_status")]
            for (column, field) in pairs where payment[column] != authorization[field] {
                Issue.record("\(payment["payment_id"]!): \(column) \(payment[column]!) but \(field) \(authorization[field]!)")
            }
            let approved = payment["payment_status"] == "approved"
            #expect((authorization["response_code"] == "00") == approved, "\(authorization)")
            #expect((authorization["decline_type"] == "none") == approved, "\(authorization)")
            #expect(authorization["authorization_id"] == "AUTH" + payment["payment_id"]!.dropFirst(3))
            declined += approved ? 0 : 1
        }
        #expect(declined > 0)
    }

    /// Each refund row belongs to an approved payment among `transactions` (rows of this run's and
    /// earlier runs' files) and agrees with it: merchant, card, payment amount and time, at most the
    /// amount, at least a day later, at most once.
    func expectRefundsFollow(_ transactions: [[String: String]], _ refunds: CSVTable) {
        let payments = Dictionary(uniqueKeysWithValues: transactions.map { ($0["payment_id"]!, $0) })
        #expect(!refunds.rows.isEmpty)
        #expect(Set(refunds.rows.map { $0["payment_id"]! }).count == refunds.rows.count)
        for refund in refunds.rows {
            guard let payment = payments[refund["payment_id"]!] else {
                Issue.record("\(refund["refund_id"]!) refunds no payment of the runs")
                continue
            }
            #expect(payment["payment_status"] == "approved" && refund["refund_id"] == "RFD" + payment["payment_id"]!.dropFirst(3))
            for (column, field) in [("merchant_id", "merchant_id"), ("card_profile_id", "card_profile_id"), ("payment_amount", "payment_amount"),
                                    ("payment_timestamp", "payment_timestamp")] where payment[column] != refund[field] {
                Issue.record("\(refund["refund_id"]!): \(field) \(refund[field]!) but the payment's \(payment[column]!)")
            }
            let amount = Double(refund["refund_amount"]!)!, paid = Double(refund["payment_amount"]!)!
            #expect(amount > 0 && amount <= paid && (refund["refund_type"] == "full") == (amount == paid), "\(refund)")
            #expect(utcMilliseconds(refund["refund_timestamp"]!) >= utcMilliseconds(refund["payment_timestamp"]!) + 86_400_000, "\(refund)")
        }
    }

    /// Each dispute row belongs to an approved payment among `transactions` without a refund among
    /// `refunds`, for its amount, opened at least a day after it, closed after the opening and
    /// within 120 days of the payment, with an outcome only when closed; each stage at most once.
    func expectDisputesFollow(_ transactions: [[String: String]], refunds: [[String: String]], _ disputes: CSVTable) {
        let payments = Dictionary(uniqueKeysWithValues: transactions.map { ($0["payment_id"]!, $0) })
        let refunded = Set(refunds.map { $0["payment_id"]! })
        #expect(!disputes.rows.isEmpty)
        #expect(Set(disputes.rows.map { $0["dispute_id"]! + $0["dispute_stage"]! }).count == disputes.rows.count)
        for row in disputes.rows {
            guard let payment = payments[row["payment_id"]!] else {
                Issue.record("\(row["dispute_id"]!) disputes no payment of the runs")
                continue
            }
            #expect(payment["payment_status"] == "approved" && !refunded.contains(row["payment_id"]!), "\(row)")
            #expect(row["disputed_amount"] == payment["payment_amount"] && row["payment_timestamp"] == payment["payment_timestamp"])
            #expect(row["merchant_id"] == payment["merchant_id"] && row["dispute_fee"] == "15.00")
            let time = utcMilliseconds(row["event_timestamp"]!), paid = utcMilliseconds(row["payment_timestamp"]!)
            #expect(time >= paid + 86_400_000 && time < paid + 120 * 86_400_000, "\(row)")
            #expect((row["dispute_stage"] == "closed") == !row["outcome"]!.isEmpty, "\(row)")
        }
    }

    /// Each payout row holds the sums of its merchant's rows of its settlement day in the other
    /// files (`transactions`, `refunds`, `disputes`, those days' rows), to the cent, and every
    /// merchant with such a row has one payout that day.
    func expectPayoutsReconcile(_ payouts: CSVTable, transactions: [[String: String]], refunds: [[String: String]],
                                disputes: [[String: String]]) {
        func cents(_ text: String?) -> Int { Int((Double(text!)! * 100).rounded()) }
        var expected: [String: [Int]] = [:]  // merchant and day → gross, mdr, refunds, chargebacks, fees, reversals, items
        func add(_ merchant: String?, _ timestamp: String?, _ index: Int, _ amount: Int) {
            let key = merchant! + " " + timestamp!.prefix(10)
            var sums = expected[key] ?? [Int](repeating: 0, count: 7)
            sums[index] += amount
            expected[key] = sums
        }
        for row in transactions where row["payment_status"] == "approved" {
            add(row["merchant_id"], row["payment_timestamp"], 0, cents(row["payment_amount"]))
            add(row["merchant_id"], row["payment_timestamp"], 1, cents(row["mdr_amount"]))
            add(row["merchant_id"], row["payment_timestamp"], 6, 1)
        }
        for row in refunds {
            add(row["merchant_id"], row["refund_timestamp"], 2, cents(row["refund_amount"]))
            add(row["merchant_id"], row["refund_timestamp"], 6, 1)
        }
        for row in disputes {
            if row["dispute_stage"] == "opened" {
                add(row["merchant_id"], row["event_timestamp"], 3, cents(row["disputed_amount"]))
                add(row["merchant_id"], row["event_timestamp"], 4, cents(row["dispute_fee"]))
            } else if row["outcome"] == "won" {
                add(row["merchant_id"], row["event_timestamp"], 5, cents(row["disputed_amount"]))
            }
            add(row["merchant_id"], row["event_timestamp"], 6, 1)
        }
        #expect(payouts.rows.count == expected.count && !payouts.rows.isEmpty, "a payout per merchant and day with an event")
        for row in payouts.rows {
            let sums = expected[row["merchant_id"]! + " " + row["settlement_date"]!] ?? []
            let got = ["gross_amount", "mdr_amount", "refund_amount", "chargeback_amount", "dispute_fee_amount", "reversal_amount"].map { cents(row[$0]) }
                + [Int(row["item_count"]!)!]
            #expect(got == sums, "\(row["payout_id"]!)")
            #expect(cents(row["net_amount"]) == got[0] - got[1] - got[2] - got[3] - got[4] + got[5], "\(row["payout_id"]!)")
        }
    }

    @Test func authorizationsFollowTheTransactionsAndTheSimulationKeepsItsLifecycle() throws {
        let folder = try TemporaryFolder(), plain = try TemporaryFolder()
        let run = try ReplayBinary.run(["--initial"] + days + ["--lifecycle", "--output-dir", folder.path, "--brokers", "none"])
        try #require(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains(" transactions, ") && run.stderr.contains(" authorizations, "), "\(run.stderr)")
        let transactions = CSVTable(try folder.lines("transactions_\(period).csv"))
        expectAuthorizationsFollow(transactions, CSVTable(try folder.lines("authorizations_\(period).csv")))
        expectRefundsFollow(transactions.rows, CSVTable(try folder.lines("refunds_\(period).csv")))
        #expect(run.stderr.contains(" refunds, ") && run.stderr.contains(" dispute events, ") && run.stderr.contains(" payouts in "), "\(run.stderr)")

        // Off by default: the same run without it writes the same transactions and merchants, and a
        // merchants.json that differs only by the lifecycle's line, its pending refunds and disputes
        // and its schema_version (4, which a binary from before the lifecycle or its later streams refuses).
        let reference = try ReplayBinary.run(["--initial"] + days + ["--output-dir", plain.path, "--brokers", "none"])
        try #require(reference.status == 0, "\(reference.stderr)")
        #expect(!FileManager.default.fileExists(atPath: plain.file("authorizations_\(period).csv")))
        for name in ["transactions_\(period).csv", "merchants_\(period).csv"] { #expect(try folder.read(name) == plain.read(name), "\(name)") }
        let state = String(decoding: try folder.read("merchants.json"), as: UTF8.self)
        let plainState = String(decoding: try plain.read("merchants.json"), as: UTF8.self)
        #expect(state.contains("\n  \"lifecycle\": true,\n") && !plainState.contains("lifecycle"))
        #expect(state.contains("\n  \"schema_version\": 4,\n") && plainState.contains("\n  \"schema_version\": 1,\n"))
        let pending = try #require(state.range(of: "\n  \"pending_disputes\": \\[\n(    \\{[^\n]*\\},?\n)+  \\],\n  \"pending_refunds\": \\[\n(    \\{[^\n]*\\},?\n)+  \\],",
                                               options: .regularExpression))
        #expect(state[pending].contains("\"refund_time\": ") && state[pending].contains("\"stage\": \"closed\""))
        #expect(state.replacingCharacters(in: pending, with: "").replacingOccurrences(of: "\n  \"lifecycle\": true,", with: "")
            .replacingOccurrences(of: "\"schema_version\": 4,", with: "\"schema_version\": 1,") == plainState)

        // An incremental day continues the lifecycle without the flag, refunds of the run before included.
        let next = try ReplayBinary.run(["--incremental", "--date", "2024-01-04", "-f", "--output-dir", folder.path, "--brokers", "none"])
        try #require(next.status == 0, "\(next.stderr)")
        let nextTransactions = CSVTable(try folder.lines("transactions_2024-01-04_2024-01-04.csv"))
        expectAuthorizationsFollow(nextTransactions, CSVTable(try folder.lines("authorizations_2024-01-04_2024-01-04.csv")))
        let nextRefunds = CSVTable(try folder.lines("refunds_2024-01-04_2024-01-04.csv"))
        expectRefundsFollow(transactions.rows + nextTransactions.rows, nextRefunds)
        #expect(nextRefunds.rows.contains { $0["payment_timestamp"]! < "2024-01-04" }, "payments of the run before are refunded")

        // A simulation started without it cannot take it on later: refused in one line, nothing written.
        let refused = try ReplayBinary.run(["--incremental", "--date", "2024-01-04", "-f", "--lifecycle", "--output-dir", plain.path,
                                            "--brokers", "none"])
        #expect(refused.status != 0 && refused.stderrLines.count == 1 && refused.stderr.contains("--lifecycle"), "\(refused.stderr)")
        #expect(String(decoding: try plain.read("merchants.json"), as: UTF8.self) == plainState)
        #expect(!FileManager.default.fileExists(atPath: plain.file("transactions_2024-01-04_2024-01-04.csv")))

        // An initial run describes its whole simulation: without --lifecycle it is another one, which only -f puts in place.
        let kept = try folder.read("merchants.json")
        let other = try ReplayBinary.run(["--initial"] + days + ["--output-dir", folder.path, "--brokers", "none"])
        #expect(other.status != 0 && other.stderrLines.count == 1 && other.stderr.contains("--force"), "\(other.stderr)")
        #expect(try folder.read("merchants.json") == kept)
        // With -f it starts over without the lifecycle, and says that the old authorizations file stays.
        let over = try ReplayBinary.run(["--initial"] + days + ["-f", "--output-dir", folder.path, "--brokers", "none"])
        #expect(over.status == 0 && over.stderr.contains("authorizations_\(period).csv is left from another simulation"), "\(over.stderr)")
    }

    /// `--scenario FILE` sets the decline codes' shares of a new simulation, which later runs keep;
    /// a bad file or a scenario without the lifecycle is refused in one line before anything is written.
    @Test func aScenarioFileSetsTheDeclineCodesOfTheWholeSimulation() throws {
        let folder = try TemporaryFolder(), refused = try TemporaryFolder()
        let file = folder.file("halves.yaml")
        try "authorizations:\n  decline_shares:\n    \"05\": 0.5  # do not honor\n    51: 0.5\nrefunds:\n  rate: 0.2\n  mean_wait_days: 1\ndisputes:\n  rate: 0.2\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let check = try ReplayBinary.run(["--initial"] + days + ["--lifecycle", "--scenario", file, "--check-config"])
        #expect(check.status == 0 && check.stdout.contains("lifecycle: on (--lifecycle); scenario \(file): decline shares 51 0.5, 05 0.5; "
            + "refunds: rate 0.2, mean wait 1.0 days after the first; disputes: rate 0.2"), "\(check.stdout)")
        let run = try ReplayBinary.run(["--initial"] + days + ["--lifecycle", "--scenario", file, "--output-dir", folder.path, "--brokers", "none"])
        try #require(run.status == 0, "\(run.stderr)")
        let next = try ReplayBinary.run(["--incremental", "--date", "2024-01-04", "-f", "--output-dir", folder.path, "--brokers", "none"])
        try #require(next.status == 0, "\(next.stderr)")
        for name in ["authorizations_\(period).csv", "authorizations_2024-01-04_2024-01-04.csv"] {
            let codes = Set(CSVTable(try folder.lines(name)).rows.map { $0["response_code"]! })
            #expect(codes == ["00", "05", "51"], "\(name): \(codes)")
        }
        // The scenario's refund and dispute rates: many of both, each following its payment, in
        // the history and in the incremental day (which disputes payments of the history).
        let transactions = CSVTable(try folder.lines("transactions_\(period).csv")).rows
            + CSVTable(try folder.lines("transactions_2024-01-04_2024-01-04.csv")).rows
        let refunds = CSVTable(try folder.lines("refunds_\(period).csv")).rows + CSVTable(try folder.lines("refunds_2024-01-04_2024-01-04.csv")).rows
        #expect(refunds.count > 2_000, "\(refunds.count) refunds")
        for name in ["disputes_\(period).csv", "disputes_2024-01-04_2024-01-04.csv"] {
            let disputes = CSVTable(try folder.lines(name))
            #expect(disputes.rows.count > 100, "\(name): \(disputes.rows.count) dispute events")
            expectDisputesFollow(transactions, refunds: refunds, disputes)
        }
        #expect(String(decoding: try folder.read("merchants.json"), as: UTF8.self).contains("\"disputes\": {\"rate\": 0.2}"))
        // Payouts reconcile with the history's files, and with the incremental day's.
        for file in [period, "2024-01-04_2024-01-04"] {
            expectPayoutsReconcile(CSVTable(try folder.lines("payouts_\(file).csv")),
                                   transactions: CSVTable(try folder.lines("transactions_\(file).csv")).rows,
                                   refunds: CSVTable(try folder.lines("refunds_\(file).csv")).rows,
                                   disputes: CSVTable(try folder.lines("disputes_\(file).csv")).rows)
        }

        let bad = refused.file("bad.yaml")
        try "authorizations:\n  decline_shares:\n    \"52\": 1\n".write(toFile: bad, atomically: true, encoding: .utf8)
        for arguments in [["--lifecycle", "--scenario", bad], ["--scenario", file]] {
            let result = try ReplayBinary.run(["--initial"] + days + arguments + ["--output-dir", refused.path, "--brokers", "none"])
            #expect(result.status != 0 && result.stderrLines.count == 1 && result.stderr.contains("--scenario"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: refused.file("merchants.json")))
        }
    }

    /// Killed within its days (cut in many parts, as a day at a large scale is) and run again: the
    /// same bytes as an uninterrupted run, every authorization once in its topic, keyed by merchant
    /// and in the partition of its payment's transaction record (the topics are co-partitioned).
    @Test func aLifecycleRunKilledWithinItsDaysAndRunAgainIsExactInFilesAndTopics() throws {
        let broker = try StandaloneBroker()
        let folder = try TemporaryFolder(), reference = try TemporaryFolder()
        let smallParts = ["REPLAY_DAY_PARTS": "32768,700"]
        // Many refunds and disputes, so that kills land among them too.
        let scenario = reference.file("follow-ups.yaml")
        try "refunds:\n  rate: 0.2\n  mean_wait_days: 0.5\ndisputes:\n  rate: 0.2\n".write(toFile: scenario, atomically: true, encoding: .utf8)
        let arguments = ["--initial"] + days + ["--lifecycle", "--scenario", scenario, "--output-dir", folder.path, "--brokers", broker.address,
                                                "--pace", "86400"]
        for step in ["slice-written:4", "sinks-durable:2", "slice-written:9", "committed:3", "slice-written:20", "period-files-written:1"] {
            let result = try ReplayBinary.run(arguments, environment: smallParts.merging(["REPLAY_KILL_AT": step]) { $1 })
            #expect(result.killedBySignal && result.status == SIGKILL, "\(step): the run was not killed: \(result.stderr)")
        }
        let last = try ReplayBinary.run(arguments, environment: smallParts)
        #expect(last.status == 0 && last.stderr.contains("continuing the unfinished run"), "\(last.stderr)")

        let uninterrupted = try ReplayBinary.run(["--initial"] + days + ["--lifecycle", "--scenario", scenario, "--output-dir", reference.path,
                                                                         "--brokers", "none"])
        try #require(uninterrupted.status == 0, "\(uninterrupted.stderr)")
        for name in ["transactions_\(period).csv", "authorizations_\(period).csv", "refunds_\(period).csv", "disputes_\(period).csv",
                     "payouts_\(period).csv", "merchants_\(period).csv", "merchants.json"] {
            #expect(try folder.read(name) == reference.read(name), "\(name)")
        }
        try KafkaStreamTests().expectTransactionsMatch(folder, "transactions_\(period).csv", at: broker.address)

        let table = CSVTable(try folder.lines("authorizations_\(period).csv"))
        let records = try Kcat.consume("payments.authorizations", from: broker.address)
        #expect(records.count == table.rows.count)
        var byId: [String: Kcat.Record] = [:]
        for record in records { #expect(byId.updateValue(record, forKey: record.value["payment_id"] as! String) == nil) }
        let paymentPartitions = Dictionary(uniqueKeysWithValues: try Kcat.consume("payments.transactions", from: broker.address).map {
            ($0.value["payment_id"] as! String, $0.partition)
        })
        for row in table.rows {
            guard let record = byId[row["payment_id"]!] else {
                Issue.record("\(row["payment_id"]!) never arrived")
                continue
            }
            for column in table.columns where column != "amount" { #expect(record.value[column] as? String == row[column], "\(column)") }
            #expect((record.value["amount"] as? NSNumber)?.doubleValue == Double(row["amount"]!))
            #expect(record.key == row["merchant_id"] && record.partition == paymentPartitions[row["payment_id"]!])
            #expect(record.timestamp == utcMilliseconds(row["authorization_timestamp"]!))
            #expect(record.headers.hasPrefix("event_type=authorization,schema_version=1,replay_run="), "\(record.headers)")
        }

        let refunds = CSVTable(try folder.lines("refunds_\(period).csv"))
        let refundRecords = try Kcat.consume("payments.refunds", from: broker.address)
        #expect(refundRecords.count == refunds.rows.count && !refunds.rows.isEmpty)
        let refundsById = Dictionary(refundRecords.map { ($0.value["refund_id"] as! String, $0) }) { first, _ in first }
        #expect(refundsById.count == refundRecords.count, "every refund once")
        for row in refunds.rows {
            guard let record = refundsById[row["refund_id"]!] else {
                Issue.record("\(row["refund_id"]!) never arrived")
                continue
            }
            #expect(record.value["refund_reason"] as? String == row["refund_reason"] && record.value["refund_timestamp"] as? String == row["refund_timestamp"])
            #expect((record.value["refund_amount"] as? NSNumber)?.doubleValue == Double(row["refund_amount"]!))
            #expect(record.key == row["merchant_id"] && record.partition == paymentPartitions[row["payment_id"]!])
            #expect(record.timestamp == utcMilliseconds(row["refund_timestamp"]!))
            #expect(record.headers.hasPrefix("event_type=refund,schema_version=1,replay_run="), "\(record.headers)")
        }

        let disputes = CSVTable(try folder.lines("disputes_\(period).csv"))
        let disputeRecords = try Kcat.consume("payments.disputes", from: broker.address)
        #expect(disputeRecords.count == disputes.rows.count && disputes.rows.count > 50, "\(disputes.rows.count) dispute events")
        let disputesByStep = Dictionary(disputeRecords.map { ("\($0.value["dispute_id"]!) \($0.value["dispute_stage"]!)", $0) }) { first, _ in first }
        #expect(disputesByStep.count == disputeRecords.count, "every dispute event once")
        for row in disputes.rows {
            guard let record = disputesByStep["\(row["dispute_id"]!) \(row["dispute_stage"]!)"] else {
                Issue.record("\(row["dispute_id"]!) \(row["dispute_stage"]!) never arrived")
                continue
            }
            #expect(record.value["reason_code"] as? String == row["reason_code"] && record.key == row["merchant_id"])
            #expect((record.value["outcome"] as? String ?? "") == row["outcome"], "null in the value, empty in the file, when opened")
            #expect(record.partition == paymentPartitions[row["payment_id"]!] && record.timestamp == utcMilliseconds(row["event_timestamp"]!))
            #expect(record.headers.hasPrefix("event_type=dispute_\(row["dispute_stage"]!),schema_version=1,replay_run="), "\(record.headers)")
        }

        let payouts = CSVTable(try folder.lines("payouts_\(period).csv"))
        let payoutRecords = try Kcat.consume("payments.payouts", from: broker.address)
        let payoutsById = Dictionary(payoutRecords.map { ($0.value["payout_id"] as! String, $0) }) { first, _ in first }
        #expect(payoutRecords.count == payouts.rows.count && payoutsById.count == payouts.rows.count, "every payout once")
        for row in payouts.rows {
            guard let record = payoutsById[row["payout_id"]!] else {
                Issue.record("\(row["payout_id"]!) never arrived")
                continue
            }
            #expect((record.value["net_amount"] as? NSNumber)?.doubleValue == Double(row["net_amount"]!) && record.key == row["merchant_id"])
            #expect(record.timestamp == utcMilliseconds(row["payout_timestamp"]!) && record.headers.hasPrefix("event_type=payout,"))
        }
    }
}
