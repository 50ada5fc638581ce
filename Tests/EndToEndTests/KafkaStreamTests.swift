import DevelopmentBroker
import Foundation
import KafkaClient
import Testing

/// The Kafka streams, produced by the real binary to the embedded broker over TCP and read
/// back with kcat.
@Suite(.serialized) struct KafkaStreamTests {
    static let topics = ["payments.merchants", "payments.transactions"]
    static let numberColumns: Set = ["payment_lat", "payment_lng", "payment_amount", "transactional_cost_rate",
                                     "transactional_cost_amount", "mdr_amount", "net_profit", "mdr_rate", "version"]

    func generate(_ folder: TemporaryFolder, to broker: EmbeddedBroker, days: (String, String), extra: [String] = []) throws -> ChildProcess.Result {
        try ReplayBinary.run(["--initial", "--start-date", days.0, "--end-date", days.1, "--output-dir", folder.path,
                              "--brokers", broker.bootstrapServers] + extra)
    }

    /// Every CSV transaction arrives exactly once with equal fields, key, timestamp and headers.
    /// `utcOffsetHours`: the simulated zone's offset, so that the Kafka timestamp is the UTC instant.
    func expectTransactionsMatch(_ folder: TemporaryFolder, _ file: String, _ broker: EmbeddedBroker, utcOffsetHours: Int64 = 0) throws {
        try expectTransactionsMatch(folder, file, at: broker.bootstrapServers, utcOffsetHours: utcOffsetHours)
    }

    func expectTransactionsMatch(_ folder: TemporaryFolder, _ file: String, at bootstrap: String, utcOffsetHours: Int64 = 0) throws {
        let table = CSVTable(try folder.lines(file))
        let records = try Kcat.consume("payments.transactions", from: bootstrap)
        #expect(records.count == table.rows.count)
        var byId: [String: Kcat.Record] = [:]
        for record in records { #expect(byId.updateValue(record, forKey: record.value["payment_id"] as! String) == nil) }
        for row in table.rows {
            guard let record = byId[row["payment_id"]!] else {
                Issue.record("\(row["payment_id"]!) never arrived")
                continue
            }
            expect(record.value, equals: row, columns: table.columns)
            #expect(record.key == row["merchant_id"])
            #expect(record.timestamp == utcMilliseconds(row["payment_timestamp"]!) - utcOffsetHours * 3_600_000)
            #expect(record.headers.hasPrefix("event_type=transaction,schema_version=1,replay_run="), "\(record.headers)")
            #expect(record.headers.contains(",replay_seq=\(row["payment_timestamp"]!.prefix(10))/"), "\(record.headers)")
        }
    }

    func expect(_ value: [String: Any], equals row: [String: String], columns: [String]) {
        for column in columns {
            let csv = row[column]!
            if Self.numberColumns.contains(column) {
                #expect((value[column] as? NSNumber)?.doubleValue == Double(csv), "\(column)")
            } else if csv.isEmpty && column == "last_transaction_date" {
                #expect(value[column] is NSNull, "\(column)")
            } else {
                #expect(value[column] as? String == csv, "\(column)")
            }
        }
    }

    @Test func transactionsAndMerchantEventsMatchTheBatchFiles() throws {
        let broker = try EmbeddedBroker(topics: Self.topics, partitions: 4)
        let folder = try TemporaryFolder()
        let result = try generate(folder, to: broker, days: ("2024-01-01", "2024-01-02"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("payments.transactions: produced"))
        try expectTransactionsMatch(folder, "transactions_2024-01-01_2024-01-02.csv", broker)

        let merchants = CSVTable(try folder.lines("merchants_2024-01-01_2024-01-02.csv"))
        let events = try Kcat.consume("payments.merchants", from: broker.bootstrapServers)
        #expect(events.count == merchants.rows.count)
        var eventByVersion: [String: Kcat.Record] = [:]
        for event in events { eventByVersion["\(event.key) v\(event.value["version"]!)"] = event }
        let sameColumns = merchants.columns.filter { $0 != "last_transaction_date" }
        for row in merchants.rows {
            guard let event = eventByVersion["\(row["merchant_id"]!) v\(row["version"]!)"] else {
                Issue.record("no event for \(row["merchant_id"]!) v\(row["version"]!)")
                continue
            }
            expect(event.value, equals: row, columns: sameColumns)
            let kind = row["version"] == "1" ? "created" : (row["status"] == "churned" ? "churned" : "updated")
            #expect(event.value["event_type"] as? String == kind)
            #expect(event.headers.hasPrefix("event_type=\(kind),schema_version=1,replay_run="), "\(event.headers)")
        }

        // Per merchant: event-time order within its partition, and `created` before any transaction.
        let transactions = try Kcat.consume("payments.transactions", from: broker.bootstrapServers)
        for stream in [events, transactions] {
            let byKey = Dictionary(grouping: stream, by: \.key)
            for records in byKey.values {
                #expect(Set(records.map(\.partition)).count == 1)
                let ordered = records.sorted { $0.offset < $1.offset }
                #expect(zip(ordered, ordered.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
            }
        }
        let created = Dictionary(events.filter { $0.value["event_type"] as? String == "created" }.map { ($0.key, $0.timestamp) },
                                 uniquingKeysWith: min)
        for transaction in transactions { #expect(created[transaction.key].map { $0 < transaction.timestamp } == true) }
    }

    @Test func aBrokerOutageMidRunLosesAndDuplicatesNothing() throws {
        let broker = try EmbeddedBroker(topics: Self.topics, partitions: 4)
        let folder = try TemporaryFolder()
        // One simulated day paced to ~6 s of wall time, so that the outage falls inside it.
        let child = try ReplayBinary.start(["--initial", "--start-date", "2024-03-04", "--end-date", "2024-03-04",
                                            "--output-dir", folder.path, "--brokers", broker.bootstrapServers, "--pace", "14400"])
        #expect(child.wait(for: "publishing to Kafka", on: 1))
        broker.setBroker(1, up: false)
        Thread.sleep(forTimeInterval: 3) // the length of the outage, not a synchronisation
        #expect(!child.text.stderr.contains("generated "), "the run ended before the broker came back")
        broker.setBroker(1, up: true)
        let result = child.finish()
        #expect(result.status == 0, "\(result.stderr)")
        try expectTransactionsMatch(folder, "transactions_2024-03-04_2024-03-04.csv", broker)
    }

    @Test func aPermanentDeliveryFailureFailsTheRunAndKeepsTheLastAcknowledgedDay() throws {
        let broker = try EmbeddedBroker(topics: Self.topics, partitions: 4)
        let folder = try TemporaryFolder()
        // Paced so that day 2 is under way when the broker goes away for good; messages expire after 2 s.
        let child = try ReplayBinary.start(["--initial", "--start-date", "2024-03-04", "--end-date", "2024-03-06", "--debug",
                                            "--output-dir", folder.path, "--brokers", broker.bootstrapServers, "--pace", "20000",
                                            "-X", "message.timeout.ms=2000"])
        #expect(child.wait(for: "debug: 2024-03-04:", on: 1))
        broker.setBroker(1, up: false)
        let result = child.finish()
        #expect(result.status != 0)
        #expect(result.stderrLines.last.map { $0.hasPrefix("replay: error: ") && $0.contains(broker.bootstrapServers) } == true, "\(result.stderr)")
        let state = try JSONSerialization.jsonObject(with: folder.read("merchants.json")) as! [String: Any]
        #expect(state["last_generated_date"] as? String == "2024-03-04")
        #expect(state["partial_day"] == nil)
        // The file keeps exactly what the state covers: day 1, whole lines.
        let rows = try folder.lines("transactions_2024-03-04_2024-03-06.csv").dropFirst()
        #expect(!rows.isEmpty && rows.allSatisfy { $0.contains(",2024-03-04T") })
        #expect(rows.count == state["total_transactions"] as? Int)
    }

    @Test func aFullLocalQueueIsBackpressureNotLoss() throws {
        let broker = try EmbeddedBroker(topics: Self.topics, partitions: 4)
        let folder = try TemporaryFolder()
        // A queue of 50 messages fills thousands of times in one day of events.
        let result = try generate(folder, to: broker, days: ("2024-03-07", "2024-03-07"),
                                  extra: ["-X", "queue.buffering.max.messages=50"])
        #expect(result.status == 0, "\(result.stderr)")
        try expectTransactionsMatch(folder, "transactions_2024-03-07_2024-03-07.csv", broker)
    }

    @Test func timestampsAreTheUTCInstantsOfTheSimulatedZonesWallClock() throws {
        let broker = try EmbeddedBroker(topics: Self.topics, partitions: 2)
        let folder = try TemporaryFolder()
        let result = try generate(folder, to: broker, days: ("2024-01-10", "2024-01-10"), extra: ["--timezone", "America/New_York"])
        #expect(result.status == 0, "\(result.stderr)")
        try expectTransactionsMatch(folder, "transactions_2024-01-10_2024-01-10.csv", broker, utcOffsetHours: -5)
    }

    @Test func topicsCanBeRenamed() throws {
        let broker = try EmbeddedBroker(topics: ["demo.merchants", "demo.transactions"], partitions: 2)
        let folder = try TemporaryFolder()
        let result = try generate(folder, to: broker, days: ("2024-05-01", "2024-05-01"),
                                  extra: ["--topic-merchants", "demo.merchants", "--topic-transactions", "demo.transactions"])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try folder.lines("transactions_2024-05-01_2024-05-01.csv").count - 1
        #expect(try Kcat.consume("demo.transactions", from: broker.bootstrapServers).count == rows)
        #expect(try Kcat.consume("demo.merchants", from: broker.bootstrapServers).count > 500)
    }

    @Test func injectedProduceErrorsLoseAndDuplicateNothing() throws {
        let broker = try EmbeddedBroker(topics: Self.topics, partitions: 4)
        broker.failNextProduceRequests(40)
        let folder = try TemporaryFolder()
        let result = try generate(folder, to: broker, days: ("2024-03-05", "2024-03-05"))
        #expect(result.status == 0, "\(result.stderr)")
        try expectTransactionsMatch(folder, "transactions_2024-03-05_2024-03-05.csv", broker)
    }

    @Test func aStandaloneBrokerServesAnotherProcessOnTheAskedPort() throws {
        let port = try Self.freePort()
        let brokerProcess = try ReplayBinary.start(["broker", "--partitions", "2", "--port", String(port)])
        #expect(brokerProcess.wait(for: "\n", on: 0))
        let line = brokerProcess.text.stdout.split(separator: "\n")[0]
        #expect(line == "bootstrap 127.0.0.1:\(port)")
        let address = String(line.dropFirst("bootstrap ".count))
        let folder = try TemporaryFolder()
        let result = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-01",
                                           "--output-dir", folder.path, "--brokers", address])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try folder.lines("transactions_2024-01-01_2024-01-01.csv").count - 1
        #expect(try Kcat.consume("payments.transactions", from: address).count == rows)
        brokerProcess.signal(SIGTERM)
        #expect(brokerProcess.finish().status == 0)
    }

    @Test func aBrokerPortInUseIsRefusedInOneLine() throws {
        let first = try ReplayBinary.start(["broker"])
        #expect(first.wait(for: "\n", on: 0))
        let taken = String(first.text.stdout.split(separator: ":").last!.prefix { $0.isNumber })
        let second = try ReplayBinary.run(["broker", "--port", taken])
        #expect(second.status != 0 && second.stderrLines.count == 1 && second.stderr.contains("127.0.0.1:\(taken)"), "\(second.stderr)")
        first.signal(SIGTERM)
        #expect(first.finish().status == 0)
    }

    /// A port nothing listens on now (the kernel's pick for a socket bound to port 0).
    static func freePort() throws -> UInt16 {
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(probe) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(probe, pointer, length) == 0 ? getsockname(probe, pointer, &length) : -1
            }
        }
        return UInt16(bigEndian: address.sin_port)
    }
}
