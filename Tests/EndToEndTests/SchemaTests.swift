import DevelopmentBroker
import Foundation
import KafkaClient
import Testing

/// The value schemas and the Avro path, through the real binary: `replay schema` against
/// deploy/schemas/, every JSON value of a run against its JSON Schema (Python's `jsonschema`), and
/// Avro values registered with a Schema Registry stand-in (`SchemaRegistryServer`) and read back by
/// Confluent's Python client, equal to the CSV rows; registries that refuse, cannot be reached or
/// are not at the URL.
@Suite(.serialized) struct SchemaTests {
    static let topics = ["payments.merchants", "payments.transactions"]
    static let lifecycleTopics = ["payments.authorizations", "payments.refunds", "payments.disputes", "payments.payouts"]
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let decimalColumns: Set = ["payment_amount", "amount", "refund_amount", "disputed_amount", "dispute_fee", "gross_amount",
                                      "chargeback_amount", "dispute_fee_amount", "reversal_amount", "net_amount", "transactional_cost_rate", "transactional_cost_amount", "mdr_amount", "net_profit", "mdr_rate"]
    static let doubleColumns: Set = ["payment_lat", "payment_lng"]

    /// A scenario file in `folder` with many refunds and disputes, so that a run of a few days has them.
    static func manyFollowUps(in folder: TemporaryFolder) throws -> String {
        let file = folder.file("follow-ups.yaml")
        try "refunds:\n  rate: 0.2\n  mean_wait_days: 0.5\ndisputes:\n  rate: 0.2\n".write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func schemaFile(_ name: String) -> String { Self.root.appendingPathComponent("deploy/schemas/\(name)").path }

    @Test func theSchemaCommandPrintsTheDeployFiles() throws {
        for topic in ["merchants", "transactions", "authorizations", "refunds", "disputes", "payouts"] {
            for (format, file) in [("json-schema", "\(topic).schema.json"), ("avro", "\(topic).avsc")] {
                let result = try ReplayBinary.run(["schema", "--topic", topic, "--format", format])
                #expect(result.status == 0, "\(result.stderr)")
                let saved = try String(contentsOfFile: schemaFile(file), encoding: .utf8)
                #expect(result.stdout == saved, "deploy/schemas/\(file) differs from `replay schema --topic \(topic) --format \(format)`")
            }
        }
        let bad = try ReplayBinary.run(["schema", "--topic", "orders"])
        #expect(bad.status != 0 && bad.stderrLines.count == 1, "\(bad.stderr)")
    }

    @Test func everyJSONValueOfARunValidatesAgainstItsSchema() throws {
        let broker = try EmbeddedBroker(topics: Self.topics + Self.lifecycleTopics, partitions: 4)
        let folder = try TemporaryFolder()
        let run = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-03", "--lifecycle",
                                        "--scenario", try Self.manyFollowUps(in: folder), "--output-dir", folder.path, "--brokers", broker.bootstrapServers])
        try #require(run.status == 0, "\(run.stderr)")
        for (topic, schema, csv) in [("payments.merchants", "merchants.schema.json", "merchants_2024-01-01_2024-01-03.csv"),
                                     ("payments.transactions", "transactions.schema.json", "transactions_2024-01-01_2024-01-03.csv"),
                                     ("payments.authorizations", "authorizations.schema.json", "authorizations_2024-01-01_2024-01-03.csv"),
                                     ("payments.refunds", "refunds.schema.json", "refunds_2024-01-01_2024-01-03.csv"),
                                     ("payments.disputes", "disputes.schema.json", "disputes_2024-01-01_2024-01-03.csv"),
                                     ("payments.payouts", "payouts.schema.json", "payouts_2024-01-01_2024-01-03.csv")] {
            let values = try Kcat.values(topic, from: broker.bootstrapServers)
            let rows = try folder.lines(csv).count - 1
            // One value per transaction, authorization, refund, dispute and payout row; merchant events at least one per merchants row.
            #expect(rows > 0 && (topic != "payments.merchants" ? values.count == rows : values.count >= rows),
                    "\(topic): \(values.count) values for \(rows) rows")
            let file = folder.file("\(topic).jsonl")
            try (values.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            let check = try ChildProcess("/usr/bin/env", ["python3", "-c", Self.validator, schemaFile(schema), file]).finish()
            #expect(check.status == 0, "\(topic): \(check.stderr)")
            #expect(check.stdout == "valid \(values.count)\n", "\(check.stdout)")
        }
    }

    /// Validates each line of a file with the 2020-12 validator, formats (`date`) checked.
    static let validator = #"""
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
count = 0
for line in open(sys.argv[2]):
    errors = list(validator.iter_errors(json.loads(line)))
    if errors:
        sys.exit("%s: %s" % (line.strip(), errors[0].message))
    count += 1
print("valid %d" % count)
"""#

    @Test func avroValuesThroughTheRegistryDecodeToTheCSVRows() throws {
        let password = "s3cret-Pa55"
        let registry = try SchemaRegistryServer(user: "replay:\(password)")
        let broker = try EmbeddedBroker(topics: Self.topics + Self.lifecycleTopics, partitions: 4)
        let folder = try TemporaryFolder()
        let config = folder.file("kafka.properties")
        try "# registry login\nbasic.auth.credentials.source=USER_INFO\nbasic.auth.user.info=replay:\(password)\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let run = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-02", "--output-dir", folder.path,
                                        "--brokers", broker.bootstrapServers, "--format", "avro", "--schema-registry", registry.url,
                                        "--kafka-config", config, "--lifecycle", "--scenario", try Self.manyFollowUps(in: folder)])
        try #require(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains(password))
        #expect(Set(registry.registrations.map { $0.split(separator: " ")[1] })
                == ["payments.merchants-value", "payments.transactions-value", "payments.authorizations-value", "payments.refunds-value",
                    "payments.disputes-value", "payments.payouts-value"])

        try expectAvroRecordsMatch(folder, period: "2024-01-01_2024-01-02", at: broker.bootstrapServers, registry: registry.url,
                                   user: "replay:\(password)")
        // The lifecycle's authorizations, refunds, dispute events and payouts, each through its own schema.
        for (stream, eventType) in [("authorizations", "authorization"), ("refunds", "refund"), ("disputes", "dispute_"), ("payouts", "payout")] {
            let table = CSVTable(try folder.lines("\(stream)_2024-01-01_2024-01-02.csv"))
            let records = try RegistryConsumer.consume("payments.\(stream)", from: broker.bootstrapServers, registry: registry.url,
                                                       user: "replay:\(password)")
            #expect(records.count == table.rows.count && !records.isEmpty, "\(stream)")
            // A dispute has two events of one payment: told apart by their stage; a payout has its own id.
            func step(_ value: [String: Any]) -> String {
                "\(value["payment_id"] ?? value["payout_id"]!) \(value["dispute_stage"] as? String ?? "")"
            }
            let byId = Dictionary(records.map { (step($0.value), $0) }) { first, _ in first }
            for row in table.rows {
                guard let record = byId[step(row)] else {
                    Issue.record("\(stream) of \(row["payment_id"]!) never arrived")
                    continue
                }
                expect(record.value, equals: row, columns: table.columns)
                #expect(record.key == row["merchant_id"] && record.headers["event_type"]?.hasPrefix(eventType) == true)
            }
        }
    }

    /// Every CSV row of the period arrives exactly once in Avro, decoded by Confluent's client to
    /// the row's values, with its key and headers.
    func expectAvroRecordsMatch(_ folder: TemporaryFolder, period: String, at bootstrap: String, registry: String, user: String? = nil) throws {
        let transactions = CSVTable(try folder.lines("transactions_\(period).csv"))
        let records = try RegistryConsumer.consume("payments.transactions", from: bootstrap, registry: registry, user: user)
        #expect(records.count == transactions.rows.count)
        let byId = Dictionary(records.map { ($0.value["payment_id"] as! String, $0) }) { first, _ in first }
        #expect(byId.count == records.count)
        for row in transactions.rows {
            guard let record = byId[row["payment_id"]!] else {
                Issue.record("\(row["payment_id"]!) never arrived")
                continue
            }
            expect(record.value, equals: row, columns: transactions.columns)
            #expect(record.key == row["merchant_id"])
            #expect(record.headers["event_type"] == "transaction" && record.headers["replay_seq"]?.hasPrefix(String(row["payment_timestamp"]!.prefix(10))) == true)
        }

        let merchants = CSVTable(try folder.lines("merchants_\(period).csv"))
        let events = try RegistryConsumer.consume("payments.merchants", from: bootstrap, registry: registry, user: user)
        #expect(events.count == merchants.rows.count)
        let byVersion = Dictionary(events.map { ("\($0.key) v\($0.value["version"]!)", $0) }) { first, _ in first }
        #expect(byVersion.count == events.count)
        for row in merchants.rows {
            guard let event = byVersion["\(row["merchant_id"]!) v\(row["version"]!)"] else {
                Issue.record("no event for \(row["merchant_id"]!) v\(row["version"]!)")
                continue
            }
            expect(event.value, equals: row, columns: merchants.columns.filter { $0 != "last_transaction_date" })
            // On an event it is the date as of the event (the CSV's is as of the period's end): absent, or a day before this version.
            let lastTransaction = event.value["last_transaction_date"]
            #expect(lastTransaction is NSNull || (lastTransaction as? String).map { $0.count == 10 && $0 < row["effective_date"]! } == true,
                    "\(String(describing: lastTransaction))")
            let kind = row["version"] == "1" ? "created" : (row["status"] == "churned" ? "churned" : "updated")
            #expect(event.value["event_type"] as? String == kind && event.headers["event_type"] == kind)
        }
    }

    /// Crash-only with Avro values: a run killed twice and run again publishes each event once.
    @Test func anAvroRunKilledAndRunAgainPublishesEachEventOnce() throws {
        let registry = try SchemaRegistryServer()
        let broker = try StandaloneBroker()
        let folder = try TemporaryFolder()
        let arguments = ["--initial", "--start-date", "2024-02-01", "--end-date", "2024-02-03", "--output-dir", folder.path,
                         "--brokers", broker.address, "--pace", "172800", "--format", "avro", "--schema-registry", registry.url]
        for step in ["sinks-durable:2", "slice-written:3"] {
            let killed = try ReplayBinary.run(arguments, environment: ["REPLAY_KILL_AT": step])
            #expect(killed.killedBySignal && killed.status == SIGKILL, "\(step): \(killed.stderr)")
        }
        let last = try ReplayBinary.run(arguments)
        #expect(last.status == 0 && last.stderr.contains("continuing the unfinished run"), "\(last.stderr)")
        // The read-back found the killed runs' records by their headers and skipped those events.
        #expect(last.stderr.contains("already hold records of run"), "\(last.stderr)")
        try expectAvroRecordsMatch(folder, period: "2024-02-01_2024-02-03", at: broker.address, registry: registry.url)
    }

    func expect(_ value: [String: Any], equals row: [String: String], columns: [String]) {
        for column in columns {
            let csv = row[column]!
            if Self.decimalColumns.contains(column) {
                #expect((value[column] as? String).flatMap { Decimal(string: $0) } == Decimal(string: csv), "\(column): \(value[column] ?? "nil") vs \(csv)")
            } else if Self.doubleColumns.contains(column) {
                #expect((value[column] as? NSNumber)?.doubleValue == Double(csv), "\(column)")
            } else if column == "version" || column == "item_count" {
                #expect((value[column] as? NSNumber)?.intValue == Int(csv), "\(column)")
            } else if csv.isEmpty && (value[column] == nil || value[column] is NSNull) {
                continue  // a null value is an empty CSV field
            } else {
                #expect(value[column] as? String == csv, "\(column): \(value[column] ?? "nil") vs \(csv)")
            }
        }
    }

    /// A registry that refuses, cannot be reached or is not at the URL: one line, a non-zero
    /// exit, nothing produced and no merchants.json.
    @Test func aRegistryThatRefusesOrCannotBeReachedStopsTheRunBeforeAnyEvent() throws {
        let incompatible = try SchemaRegistryServer(mode: .incompatible)
        let guarded = try SchemaRegistryServer(user: "replay:right-password")
        let broker = try EmbeddedBroker(topics: Self.topics, partitions: 2)
        let cases: [(url: String, config: String, says: String)] = [
            (incompatible.url, "", "refused the schema of payments.merchants-value as incompatible"),
            (incompatible.url, "", "for subject \"payments.merchants-value\", details: [{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE'}, {oldSchemaVersion: 1}]"),
            ("http://127.0.0.1:1", "", "cannot reach the schema registry at http://127.0.0.1:1: connection refused"),
            (incompatible.url + "/not-the-registry", "", "(404): is the URL the registry's base URL?"),
            (guarded.url.replacingOccurrences(of: "http://", with: "http://replay:wrong-password@"), "basic.auth.credentials.source=URL\n",
             "refused the credentials (401) of the registry URL's user:password (basic.auth.credentials.source=URL"),
            (guarded.url, "basic.auth.user.info=replay:wrong-password\n", "refused the credentials (401) of basic.auth.user.info (--kafka-config"),
            (guarded.url, "", "asks for credentials (401) and none were sent"),
            ("ftp://127.0.0.1", "", "--schema-registry must be an http:// or https:// URL"),
        ]
        for (url, config, says) in cases {
            let folder = try TemporaryFolder()
            try config.write(toFile: folder.file("kafka.properties"), atomically: true, encoding: .utf8)
            let run = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-01", "--output-dir", folder.path,
                                            "--brokers", broker.bootstrapServers, "--format", "avro", "--schema-registry", url,
                                            "--kafka-config", folder.file("kafka.properties")])
            #expect(run.status != 0)
            #expect(run.stderrLines.count == 1 && run.stderr.contains(says), "\(url): \(run.stderr)")
            #expect(!run.stderr.contains("wrong-password"))
            #expect(!FileManager.default.fileExists(atPath: folder.file("merchants.json")), "\(url)")
        }
        for topic in Self.topics { #expect(try Kcat.values(topic, from: broker.bootstrapServers).isEmpty) }
        let noRegistry = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-01", "--schema-registry", "http://x"])
        #expect(noRegistry.status != 0 && noRegistry.stderr.contains("--schema-registry goes with --format avro"), "\(noRegistry.stderr)")
    }

    /// A registry that accepts connections and never answers: the run fails in one line after the
    /// timeout (10 s), not later, and writes no merchants.json.
    @Test func aRegistryThatNeverAnswersFailsWithinTheTimeout() throws {
        let silent = try SchemaRegistryServer(mode: .silent)
        let broker = try EmbeddedBroker(topics: Self.topics, partitions: 2)
        let folder = try TemporaryFolder()
        let started = Date()
        let run = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-01", "--output-dir", folder.path,
                                        "--brokers", broker.bootstrapServers, "--format", "avro", "--schema-registry", silent.url])
        let elapsed = Date().timeIntervalSince(started)
        #expect(run.status != 0 && elapsed < 20, "\(elapsed) s: \(run.stderr)")
        #expect(run.stderrLines.count == 1 && run.stderr.contains("cannot reach the schema registry at \(silent.url): no answer within 10 s"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("merchants.json")))
    }

    /// An https registry with a private CA: trusted through schema.registry.ssl.ca.location (the
    /// records then decode through the same registry), refused in one line without it; a
    /// certificate that does not name the host is refused unless endpoint identification is none.
    @Test func anHTTPSRegistryIsTrustedThroughItsCAFile() throws {
        let certificates = try TestCertificates()
        let registry = try SchemaRegistryServer(certificate: try certificates.issue("registry", names: ["IP:127.0.0.1", "DNS:localhost"]))
        let elsewhere = try SchemaRegistryServer(certificate: try certificates.issue("elsewhere", names: ["DNS:registry.example"]))
        let broker = try EmbeddedBroker(topics: Self.topics, partitions: 2)
        func run(_ url: String, _ config: String) throws -> (ChildProcess.Result, TemporaryFolder) {
            let folder = try TemporaryFolder()
            try config.write(toFile: folder.file("kafka.properties"), atomically: true, encoding: .utf8)
            let result = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-01", "--output-dir", folder.path,
                                               "--brokers", broker.bootstrapServers, "--format", "avro", "--schema-registry", url,
                                               "--kafka-config", folder.file("kafka.properties")])
            return (result, folder)
        }
        let trusting = "schema.registry.ssl.ca.location=\(certificates.ca)\n"

        let (untrusted, untrustedFolder) = try run(registry.url, "")
        #expect(untrusted.status != 0 && untrusted.stderrLines.count == 1, "\(untrusted.stderr)")
        #expect(untrusted.stderr.contains("certificate is not trusted (name its CA in schema.registry.ssl.ca.location)"), "\(untrusted.stderr)")
        #expect(!FileManager.default.fileExists(atPath: untrustedFolder.file("merchants.json")))
        #expect(registry.registrations.isEmpty)

        let (misnamed, _) = try run(elsewhere.url, trusting)
        #expect(misnamed.status != 0 && misnamed.stderrLines.count == 1, "\(misnamed.stderr)")
        #expect(misnamed.stderr.contains("certificate does not name 127.0.0.1"), "\(misnamed.stderr)")
        let (unchecked, _) = try run(elsewhere.url, trusting + "schema.registry.ssl.endpoint.identification.algorithm=none\n")
        #expect(unchecked.status == 0, "\(unchecked.stderr)")

        let (trusted, folder) = try run(registry.url, trusting)
        try #require(trusted.status == 0, "\(trusted.stderr)")
        #expect(Set(registry.registrations.map { $0.split(separator: " ")[1] }) == ["payments.merchants-value", "payments.transactions-value"])
        try expectAvroRecordsMatch(folder, period: "2024-01-01_2024-01-01", at: broker.bootstrapServers, registry: registry.plainURL)
    }

    /// A registry that wants a client certificate: refused in one line without one, and the run
    /// succeeds with schema.registry.ssl.certificate.location and an encrypted key.
    @Test func aClientCertificateLogsIntoAnHTTPSRegistry() throws {
        let certificates = try TestCertificates()
        let registry = try SchemaRegistryServer(certificate: try certificates.issue("registry", names: ["IP:127.0.0.1"]), clientCA: certificates.ca)
        let client = try certificates.issue("client", names: ["DNS:replay"], usage: "clientAuth")
        let encryptedKey = certificates.folder.file("client-encrypted.key")
        try TestCertificates.openssl(["pkey", "-in", client.key, "-aes256", "-passout", "pass:k3y-Pa55", "-out", encryptedKey])
        let broker = try EmbeddedBroker(topics: Self.topics, partitions: 2)
        let trusting = "schema.registry.ssl.ca.location=\(certificates.ca)\n"
        let withCertificate = trusting + "schema.registry.ssl.certificate.location=\(client.certificate)\n"
            + "schema.registry.ssl.key.location=\(encryptedKey)\nschema.registry.ssl.key.password=k3y-Pa55\n"
        for (config, succeeds) in [(trusting, false), (withCertificate, true)] {
            let folder = try TemporaryFolder()
            try config.write(toFile: folder.file("kafka.properties"), atomically: true, encoding: .utf8)
            let run = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-01", "--output-dir", folder.path,
                                            "--brokers", broker.bootstrapServers, "--format", "avro", "--schema-registry", registry.url,
                                            "--kafka-config", folder.file("kafka.properties")])
            #expect((run.status == 0) == succeeds, "\(run.stderr)")
            #expect(succeeds || (run.stderrLines.count == 1 && run.stderr.contains("refused the TLS client certificate, or its absence")), "\(run.stderr)")
            #expect(!run.stderr.contains("k3y-Pa55"))
        }
        #expect(registry.registrations.count == 2)
    }

    /// The TLS and login properties are checked up front (with --check-config too, which connects
    /// nowhere): each mistake is one line naming the property and the file, never a password.
    @Test func registrySettingsAreCheckedUpFrontInOneLine() throws {
        let certificates = try TestCertificates()
        let client = try certificates.issue("client", names: ["DNS:client"], usage: "clientAuth")
        let other = try certificates.issue("other", names: ["DNS:other"])
        let encryptedKey = certificates.folder.file("client-encrypted.key")
        try TestCertificates.openssl(["pkey", "-in", client.key, "-aes256", "-passout", "pass:k3y-Pa55", "-out", encryptedKey])
        let folder = try TemporaryFolder()
        let notPEM = folder.file("not.pem")
        try "hello\n".write(toFile: notPEM, atomically: true, encoding: .utf8)
        let clientCertificate = "schema.registry.ssl.certificate.location=\(client.certificate)\n"
        let cases: [(url: String, config: String, says: String?)] = [
            ("https://registry:8081", "schema.registry.ssl.ca.location=\(certificates.ca)\n" + clientCertificate
                + "schema.registry.ssl.key.location=\(encryptedKey)\nschema.registry.ssl.key.password=k3y-Pa55\n", nil),
            ("https://registry:8081", "schema.registry.ssl.ca.location=\(folder.file("missing.pem"))\n",
             "schema.registry.ssl.ca.location (--kafka-config \(folder.file("kafka.properties")) line 1): no file \(folder.file("missing.pem"))"),
            ("https://registry:8081", "schema.registry.ssl.ca.location=\(notPEM)\n", "schema.registry.ssl.ca.location (--kafka-config"),
            ("https://registry:8081", clientCertificate, "schema.registry.ssl.certificate.location (--kafka-config"),
            ("https://registry:8081", clientCertificate + "schema.registry.ssl.key.location=\(encryptedKey)\nschema.registry.ssl.key.password=wrong-Pa55\n",
             "\(encryptedKey) holds no PEM private key that schema.registry.ssl.key.password decrypts"),
            ("https://registry:8081", clientCertificate + "schema.registry.ssl.key.location=\(encryptedKey)\n", "(or it is encrypted: set schema.registry.ssl.key.password)"),
            ("https://registry:8081", clientCertificate + "schema.registry.ssl.key.location=\(other.key)\n", "does not go with the certificate in \(client.certificate)"),
            ("https://registry:8081", "schema.registry.ssl.endpoint.identification.algorithm=yes\n", "must be https or none"),
            ("https://registry:8081", "schema.registry.ssl.keystore.location=/x.p12\n", "schema.registry.ssl.keystore.location (--kafka-config"),
            ("http://registry:8081", "schema.registry.ssl.ca.location=\(certificates.ca)\n", "goes with an https:// registry"),
            ("https://alice:hunter2-secret@registry:8081", "basic.auth.credentials.source=USER_INFO\nbasic.auth.user.info=bob:hunter2-secret\n",
             "the registry URL's user:password is not read with basic.auth.credentials.source=USER_INFO"),
            ("https://alice:hunter2-secret@registry:8081", "basic.auth.user.info=bob:hunter2-secret\n", "credentials both in the registry URL and in basic.auth.user.info"),
            ("https://alice:hunter2-secret@registry:8081", "basic.auth.credentials.source=URL\nbasic.auth.user.info=bob:hunter2-secret\n", "basic.auth.user.info (--kafka-config"),
            ("https://registry:8081", "basic.auth.credentials.source=USER_INFO\n", "needs basic.auth.user.info"),
        ]
        for (url, config, says) in cases {
            try config.write(toFile: folder.file("kafka.properties"), atomically: true, encoding: .utf8)
            let result = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-01", "--brokers", "kafka:9092",
                                               "--format", "avro", "--schema-registry", url, "--kafka-config", folder.file("kafka.properties"), "--check-config"])
            let output = result.stdout + result.stderr
            #expect(!output.contains("Pa55") && !output.contains("hunter2"), "\(output)")
            guard let says else {
                #expect(result.status == 0, "\(result.stderr)")
                continue
            }
            #expect(result.status != 0 && result.stderrLines.count == 1 && result.stderr.contains(says), "\(config): \(result.stderr)")
        }
    }

    /// A password with percent-escapes in the registry URL is decoded once: `%2540` is `%40`, not `@`.
    @Test func urlCredentialsAreDecodedOnce() throws {
        let registry = try SchemaRegistryServer(user: "replay:pa%40ss")
        let broker = try EmbeddedBroker(topics: Self.topics, partitions: 2)
        let folder = try TemporaryFolder()
        // No basic.auth.credentials.source: the URL's credentials are used since only the URL has some.
        try "# registry login in the URL\n".write(toFile: folder.file("kafka.properties"), atomically: true, encoding: .utf8)
        let url = registry.url.replacingOccurrences(of: "http://", with: "http://replay:pa%2540ss@")
        let run = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-01", "--output-dir", folder.path,
                                        "--brokers", broker.bootstrapServers, "--format", "avro", "--schema-registry", url,
                                        "--kafka-config", folder.file("kafka.properties")])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(registry.registrations.count == 2)
    }

    @Test func checkConfigShowsTheRegistryWithoutItsPassword() throws {
        let folder = try TemporaryFolder()
        let config = folder.file("kafka.properties")
        try "basic.auth.user.info=alice:hunter2-secret\nlinger.ms=7\n".write(toFile: config, atomically: true, encoding: .utf8)
        let result = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-01", "--brokers", "kafka:9092",
                                           "--format", "avro", "--schema-registry", "https://registry:8081/", "--kafka-config", config, "--check-config"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("values: avro, schema registry https://registry:8081 (basic auth as alice), subjects payments.merchants-value, payments.transactions-value"), "\(result.stdout)")
        #expect(result.stdout.contains("linger.ms=7"))
        #expect(!result.stdout.contains("hunter2") && !result.stdout.contains("basic.auth"))
    }
}

extension Kcat {
    /// The raw values of a topic, from the beginning to its end.
    static func values(_ topic: String, from brokers: String) throws -> [String] {
        let path = ["/usr/bin/kcat", "/usr/local/bin/kcat"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { throw KcatMissing() }
        let result = try ChildProcess(path, ["-C", "-b", brokers, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%s\n"]).finish()
        guard result.status == 0 else { throw KcatFailed(message: result.stderr) }
        return result.stdout.split(separator: "\n").map(String.init)
    }
}
