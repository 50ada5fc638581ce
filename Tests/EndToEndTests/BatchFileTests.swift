import Foundation
import Testing

/// The spec's batch files, produced by the real binary.
@Suite struct BatchFileTests {
    static let transactionHeader = "payment_id,payment_timestamp,payment_lat,payment_lng,payment_amount,payment_type,terminal_id,card_type,card_issuer,card_brand,card_profile_id,card_bin,payment_status,merchant_id,transactional_cost_rate,transactional_cost_amount,mdr_amount,net_profit"
    static let merchantHeader = "merchant_id,merchant_name,industry,address,city,state,zip_code,phone,email,mdr_rate,size_category,creation_date,effective_date,status,last_transaction_date,version"

    func initial(_ folder: TemporaryFolder, _ start: String, _ end: String, _ extra: [String] = []) throws -> ChildProcess.Result {
        try ReplayBinary.run(["--initial", "--start-date", start, "--end-date", end, "--output-dir", folder.path, "--brokers", "none"] + extra)
    }

    @Test func writesTheSpecFilesForTheDefaultRun() throws {
        let folder = try TemporaryFolder()
        let result = try initial(folder, "2024-01-01", "2024-01-15", ["--debug"])
        #expect(result.status == 0, "\(result.stderr)")
        let transactions = try folder.lines("transactions_2024-01-01_2024-01-15.csv")
        let merchants = try folder.lines("merchants_2024-01-01_2024-01-15.csv")
        #expect(transactions.first.map(String.init) == Self.transactionHeader)
        #expect(merchants.first.map(String.init) == Self.merchantHeader)
        #expect((100_000...300_000).contains(transactions.count - 1))
        #expect(transactions.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 18 })
        #expect(transactions[1].hasPrefix("TXN0000000001,2024-01-01T"))
        #expect(result.stderrLines.filter { $0.hasPrefix("debug: 2024-01-") }.count == 15)

        let state = try JSONSerialization.jsonObject(with: folder.read("merchants.json")) as! [String: Any]
        #expect(state["last_generated_date"] as? String == "2024-01-15")
        #expect((state["total_transactions"] as? Int) == transactions.count - 1)
        let histories = state["merchants"] as! [String: [[String: Any]]]
        #expect((state["merchant_counter"] as? Int) == histories.count)
        #expect(merchants.count - 1 == histories.values.map(\.count).reduce(0, +))
        #expect(state["card_profiles"] is [String: Any])
    }

    @Test func givesEachMerchantItsLastTransactionDateAsOfThePeriodEnd() throws {
        let folder = try TemporaryFolder()
        #expect(try initial(folder, "2024-03-01", "2024-03-05").status == 0)
        var lastDay: [Substring: Substring] = [:]
        for row in try folder.lines("transactions_2024-03-01_2024-03-05.csv").dropFirst() {
            let fields = row.split(separator: ",")
            lastDay[fields[13]] = fields[1].prefix(10)
        }
        for row in try folder.lines("merchants_2024-03-01_2024-03-05.csv").dropFirst() {
            let fields = row.split(separator: ",", omittingEmptySubsequences: false)
            #expect(fields[14] == (lastDay[fields[0]] ?? ""), "\(row)")
        }
    }

    @Test func sameSeedGivesIdenticalBytesAndAnotherSeedDoesNot() throws {
        let first = try TemporaryFolder(), second = try TemporaryFolder(), third = try TemporaryFolder()
        #expect(try initial(first, "2024-01-01", "2024-01-05", ["--seed", "11"]).status == 0)
        #expect(try initial(second, "2024-01-01", "2024-01-05", ["--seed", "11"]).status == 0)
        #expect(try initial(third, "2024-01-01", "2024-01-05", ["--seed", "12"]).status == 0)
        for name in ["transactions_2024-01-01_2024-01-05.csv", "merchants_2024-01-01_2024-01-05.csv", "merchants.json"] {
            #expect(try first.read(name) == second.read(name), "\(name)")
            #expect(try first.read(name) != third.read(name), "\(name)")
        }
    }

    @Test func incrementalDayEqualsTheSameDayOfAOneShotRun() throws {
        let stepwise = try TemporaryFolder(), oneShot = try TemporaryFolder()
        #expect(try initial(stepwise, "2024-01-25", "2024-01-31").status == 0)
        for day in ["2024-02-01", "2024-02-02"] {
            let result = try ReplayBinary.run(["--incremental", "--date", day, "-f", "--output-dir", stepwise.path, "--brokers", "none"])
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(try initial(oneShot, "2024-01-25", "2024-02-02").status == 0)
        let whole = try oneShot.lines("transactions_2024-01-25_2024-02-02.csv")
        for day in ["2024-02-01", "2024-02-02"] {
            let daily = try stepwise.lines("transactions_\(day)_\(day).csv")
            #expect(daily.first == whole.first)
            #expect(Array(daily.dropFirst()) == whole.filter { $0.split(separator: ",")[1].hasPrefix(day) }, "\(day)")
        }
        #expect(try stepwise.read("merchants.json") == oneShot.read("merchants.json"))
        let dailyMerchants = try stepwise.lines("merchants_2024-02-02_2024-02-02.csv")
        #expect(dailyMerchants.count > 500 && dailyMerchants.dropFirst().allSatisfy { !$0.contains(",churned,") || $0.contains(",2024-02-02,churned,") })
    }
}
