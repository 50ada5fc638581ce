import DevelopmentBroker
import Foundation
import KafkaClient
import Testing

/// `--metrics-port`: a real HTTP client scrapes the running binary, and Prometheus' own Python
/// client library (`prometheus_client`) parses the text.
@Suite(.serialized) struct MetricsTests {
    /// Fetches `url` with urllib; for /metrics prints every sample as `name{labels} value` lines
    /// parsed by prometheus_client, for other paths `status body`.
    static let scraper = #"""
    import sys, urllib.request, urllib.error
    url = sys.argv[1]
    try:
        response = urllib.request.urlopen(url, timeout=10)
        status, body = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read().decode()
    if url.endswith("/metrics"):
        from prometheus_client.parser import text_string_to_metric_families
        for family in text_string_to_metric_families(body):
            for sample in family.samples:
                labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
                print(f"{sample.name}{{{labels}}} {sample.value!r}")
    else:
        print(status, body.strip())
    """#

    /// One scrape: the samples by `name{labels}`.
    static func scrape(_ base: String) throws -> [String: Double] {
        let result = try ChildProcess("/usr/bin/env", ["python3", "-c", scraper, base + "/metrics"]).finish()
        guard result.status == 0 else { throw ScrapeFailed(output: result.stderr) }
        var samples: [String: Double] = [:]
        for line in result.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ")
            samples[String(parts[0])] = Double(parts[1])
        }
        return samples
    }

    static func probe(_ base: String, _ path: String) throws -> String {
        try ChildProcess("/usr/bin/env", ["python3", "-c", scraper, base + path]).finish().stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct ScrapeFailed: Error { let output: String }

    /// The `http://host:port` the run announced.
    static func address(of child: ChildProcess) -> String? {
        guard child.wait(for: "/metrics (probes", on: 1) else { return nil }
        let line = child.text.stderr.split(separator: "\n").first { $0.contains("serving metrics on ") }!
        let url = line.split(separator: " ").first { $0.hasPrefix("http://") }!
        return String(url.dropLast("/metrics".count))
    }

    @Test func aLiveFeedServesMovingCountersAndProbes() throws {
        let broker = try EmbeddedBroker(topics: KafkaStreamTests.topics, partitions: 2)
        let folder = try TemporaryFolder()
        let child = try ReplayBinary.start(["--realtime", "--pace", "43200", "--debug", "--output-dir", folder.path,
                                            "--brokers", broker.bootstrapServers, "--metrics-port", "0"])
        defer { child.signal(SIGKILL); _ = child.finish() }
        let base = try #require(Self.address(of: child), "\(child.text.stderr)")
        #expect(child.wait(for: "debug: ", on: 1))   // a day has gone by
        let first = try Self.scrape(base)
        #expect(child.wait(for: "progress:", on: 1))
        // Scrape until the counters have moved past the first scrape (they move every slice).
        var second = try Self.scrape(base)
        while (second["replay_events_emitted_total{stream=transactions}"] ?? 0) <= (first["replay_events_emitted_total{stream=transactions}"] ?? 0) {
            #expect(child.wait(for: "debug: ", on: 1))
            second = try Self.scrape(base)
        }
        #expect((first["replay_days_completed_total{}"] ?? 0) >= 1)
        let acknowledged = "replay_kafka_events_acknowledged_total{stream=transactions,topic=payments.transactions}"
        #expect(second[acknowledged] != nil && second[acknowledged]! >= (first[acknowledged] ?? 0))
        #expect((second["replay_simulated_time_seconds{}"] ?? 0) > (first["replay_simulated_time_seconds{}"] ?? 0))
        for name in ["replay_schedule_lag_seconds{}", "replay_last_checkpoint_timestamp_seconds{}",
                     "replay_last_checkpoint_duration_seconds{}", "replay_kafka_queue_messages{}", "replay_kafka_brokers_up{}",
                     "replay_kafka_events_produced_total{stream=merchants,topic=payments.merchants}"] {
            #expect(second[name] != nil, "\(name) missing")
        }
        // librdkafka reports the brokers' state every second, and a loaded machine can catch the
        // connection between two states (then it reports 0): scrape until a report says it is up.
        let deadline = Date().addingTimeInterval(30)
        var brokersUp = second["replay_kafka_brokers_up{}"]
        while brokersUp != 1 && Date() < deadline { brokersUp = try Self.scrape(base)["replay_kafka_brokers_up{}"] }
        #expect(brokersUp == 1)
        #expect(try Self.probe(base, "/healthz") == "200 live")
        #expect(try Self.probe(base, "/readyz") == "200 ready")
        #expect(try Self.probe(base, "/nothing").hasPrefix("404"))
    }

    @Test func readinessFollowsTheBrokerWithoutAMetricsScrape() throws {
        let broker = try EmbeddedBroker(topics: KafkaStreamTests.topics, partitions: 2)
        let folder = try TemporaryFolder()
        let child = try ReplayBinary.start(["--realtime", "--output-dir", folder.path, "--brokers", broker.bootstrapServers,
                                            "--metrics-port", "0"])
        defer { child.signal(SIGKILL); _ = child.finish() }
        let base = try #require(Self.address(of: child), "\(child.text.stderr)")
        #expect(child.wait(for: "publishing to Kafka", on: 1))
        // librdkafka reports the brokers' state every second: poll the probe (no /metrics scrape) until it says so.
        func readyz(becomes expected: String) throws -> Bool {
            for _ in 0..<100 {
                if try Self.probe(base, "/readyz") == expected { return true }
            }
            return false
        }
        #expect(try readyz(becomes: "200 ready"))
        broker.setBroker(1, up: false)
        #expect(try readyz(becomes: "503 no Kafka broker connected"))
        broker.setBroker(1, up: true)
        #expect(try readyz(becomes: "200 ready"))
        #expect(try Self.probe(base, "/healthz") == "200 live")
    }

    /// With the lifecycle, so that its streams are counted too.
    @Test func theFinalMetricsMatchTheEndOfRunSummary() throws {
        let topics = KafkaStreamTests.topics + SchemaTests.lifecycleTopics
        let broker = try EmbeddedBroker(topics: topics, partitions: 2)
        let folder = try TemporaryFolder()
        let child = try ReplayBinary.start(["--initial", "--start-date", "2024-06-03", "--end-date", "2024-06-04", "--lifecycle",
                                            "--scenario", try SchemaTests.manyFollowUps(in: folder),
                                            "--output-dir", folder.path, "--brokers", broker.bootstrapServers,
                                            "--metrics-port", "0", "--metrics-linger", "120",
                                            "--late-fraction", "0.1", "--duplicate-fraction", "0.05"])
        let base = try #require(Self.address(of: child), "\(child.text.stderr)")
        #expect(child.wait(for: "serving the final metrics", on: 1))
        let samples = try Self.scrape(base)
        #expect(try Self.probe(base, "/healthz") == "200 live")
        #expect(try Self.probe(base, "/readyz") == "503 stopping")
        let stderr = child.text.stderr
        child.signal(SIGTERM)
        #expect(child.finish().status == 0)

        let summary = try #require(stderr.split(separator: "\n").first { $0.contains("generated 2024-06-03..2024-06-04") })
        let words = summary.split(separator: " ")
        let transactions = try #require(words.firstIndex { $0.hasPrefix("transactions") }.flatMap { Double(words[$0 - 1]) })
        #expect(samples["replay_events_emitted_total{stream=transactions}"] == transactions)
        let authorizations = try #require(words.firstIndex { $0.hasPrefix("authorizations") }.flatMap { Double(words[$0 - 1]) })
        #expect(samples["replay_events_emitted_total{stream=authorizations}"] == authorizations && authorizations == transactions)
        let refunds = try #require(words.firstIndex { $0.hasPrefix("refunds") }.flatMap { Double(words[$0 - 1]) })
        #expect(samples["replay_events_emitted_total{stream=refunds}"] == refunds && refunds > 0)
        #expect(samples["replay_days_completed_total{}"] == 2)
        let disorder = try #require(stderr.split(separator: "\n").first { $0.contains("disorder: delivered ") }).split(separator: " ")
        #expect(samples["replay_deliveries_total{kind=late}"] == disorder.firstIndex(of: "late").flatMap { Double(disorder[$0 - 1]) })
        #expect(samples["replay_deliveries_total{kind=duplicate}"] == disorder.firstIndex(of: "duplicates").flatMap { Double(disorder[$0 - 1]) })
        #expect((samples["replay_deliveries_total{kind=late}"] ?? 0) > 0 && (samples["replay_deliveries_total{kind=duplicate}"] ?? 0) > 0)
        let disputes = try #require(words.firstIndex { $0.hasPrefix("dispute") }.flatMap { Double(words[$0 - 1]) })
        #expect(samples["replay_events_emitted_total{stream=disputes}"] == disputes && disputes > 0)
        let payouts = try #require(words.firstIndex { $0.hasPrefix("payouts") }.flatMap { Double(words[$0 - 1]) })
        #expect(samples["replay_events_emitted_total{stream=payouts}"] == payouts && payouts > 0)
        for (stream, topic) in zip(["merchants", "transactions", "authorizations", "refunds", "disputes", "payouts"], topics) {
            let line = try #require(stderr.split(separator: "\n").first { $0.contains("\(topic): produced ") })
            let figures = line.split(separator: " ")
            /// The number before (offset -1) or after (+1) `word` in the summary line.
            func figure(_ word: Substring, _ offset: Int) throws -> Double {
                let index = try #require(figures.firstIndex(of: word), "\(line)") + offset
                let digits = String(figures[index].filter { $0.isNumber || $0 == "." })
                return try #require(Double(digits), "\(line)")
            }
            #expect(samples["replay_kafka_events_produced_total{stream=\(stream),topic=\(topic)}"] == (try figure("produced", 1)), "\(topic)")
            #expect(samples["replay_kafka_events_acknowledged_total{stream=\(stream),topic=\(topic)}"] == (try figure("acknowledged", 1)), "\(topic)")
            #expect(samples["replay_kafka_events_failed_total{stream=\(stream),topic=\(topic)}"] == 0, "\(topic)")
            let mebibytes = try figure("MiB,", -1)
            let bytes = try #require(samples["replay_kafka_acknowledged_bytes_total{stream=\(stream),topic=\(topic)}"])
            #expect(abs(bytes / 1_048_576 - mebibytes) <= 0.05, "\(topic): \(bytes) bytes against \(mebibytes) MiB")
        }
        #expect(samples["replay_kafka_queue_messages{}"] == 0)
        #expect(samples["replay_simulated_time_seconds{}"] == 1_717_545_600, "the end of 2024-06-04, UTC")
    }

    /// A fixed-offset zone whose local time is now between 03:00 and 03:59, when every merchant is closed.
    static func zoneInTheSmallHours() -> String { zone(whereTheHourIs: 3) }

    /// A fixed-offset zone whose local time is `hour`:xx now.
    static func zone(whereTheHourIs hour: Int) -> String {
        let utcHour = Int(Date().timeIntervalSince1970) / 3_600 % 24
        var offset = hour - utcHour                 // hours east of UTC
        if offset < -12 { offset += 24 }
        if offset > 14 { offset -= 24 }
        return offset == 0 ? "Etc/GMT" : offset > 0 ? "Etc/GMT-\(offset)" : "Etc/GMT+\(-offset)"  // POSIX signs: GMT-3 is UTC+3
    }

    /// A live feed in its quiet hours (nothing due until 08:00): once it has caught up with the
    /// night's first events, the simulated clock follows the wall clock and the lag reads 0, not
    /// the hours since midnight, so that a lag alert does not fire every night.
    @Test func aQuietHourMovesTheSimulatedClockWithNoLag() throws {
        let folder = try TemporaryFolder()
        let child = try ReplayBinary.start(["--realtime", "--timezone", Self.zoneInTheSmallHours(), "--output-dir", folder.path,
                                            "--brokers", "none", "--metrics-port", "0"])
        defer { child.signal(SIGKILL); _ = child.finish() }
        let base = try #require(Self.address(of: child), "\(child.text.stderr)")
        func caughtUp(_ samples: [String: Double]) -> Bool {
            abs((samples["replay_simulated_time_seconds{}"] ?? 0) - Date().timeIntervalSince1970) < 5 && samples["replay_schedule_lag_seconds{}"] == 0
        }
        // Scrape until the run waits for the morning (its catch-up of the day's first events is over).
        let deadline = Date().addingTimeInterval(60)
        var first = try Self.scrape(base)
        while !caughtUp(first) && Date() < deadline { first = try Self.scrape(base) }
        #expect(caughtUp(first), "\(first)")
        let simulated = first["replay_simulated_time_seconds{}"] ?? 0
        var second = try Self.scrape(base)
        while (second["replay_simulated_time_seconds{}"] ?? 0) <= simulated && Date() < deadline { second = try Self.scrape(base) }
        #expect((second["replay_simulated_time_seconds{}"] ?? 0) > simulated && caughtUp(second), "\(second)")
        #expect(try Self.probe(base, "/healthz") == "200 live")
    }

    /// A live feed started in the afternoon at scale 20: it catches up with the day's events so far at
    /// full speed, then follows the clock with no lag; what it wrote is the start of that day as a
    /// history run writes it, and holds every transaction of the day until it caught up.
    @Test func aLiveFeedStartedInTheAfternoonCatchesUpAndKeepsPace() throws {
        let zone = Self.zone(whereTheHourIs: 16)
        let folder = try TemporaryFolder(), reference = try TemporaryFolder()
        let child = try ReplayBinary.start(["--realtime", "--scale", "20", "--timezone", zone, "--output-dir", folder.path,
                                            "--brokers", "none", "--metrics-port", "0"])
        defer { child.signal(SIGKILL); _ = child.finish() }
        let base = try #require(Self.address(of: child), "\(child.text.stderr)")
        let deadline = Date().addingTimeInterval(60)
        var samples = try Self.scrape(base)
        func caughtUp() -> Bool {
            abs((samples["replay_simulated_time_seconds{}"] ?? 0) - Date().timeIntervalSince1970) < 5
                && (samples["replay_schedule_lag_seconds{}"] ?? .infinity) < 1
                && (samples["replay_events_emitted_total{stream=transactions}"] ?? 0) > 0
        }
        while !caughtUp() && Date() < deadline { samples = try Self.scrape(base) }
        #expect(caughtUp(), "\(samples)")
        let local = DateFormatter()
        local.timeZone = TimeZone(identifier: zone)
        local.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        let caughtUpAt = local.string(from: Date().addingTimeInterval(-5))
        child.signal(SIGINT)
        let stopped = child.finish()
        #expect(stopped.status == 0, "a live feed stops when told: \(stopped.stderr)")

        let today = String(caughtUpAt.prefix(10))
        #expect(try ReplayBinary.run(["--initial", "--start-date", today, "--end-date", today, "--scale", "20", "--timezone", zone,
                                      "--output-dir", reference.path, "--brokers", "none"]).status == 0)
        let name = "transactions_\(today)_\(today).csv"
        let live = try folder.lines(name), whole = try reference.lines(name)
        #expect(live.count > 1 && Array(whole.prefix(live.count)) == live, "the feed wrote the start of the day")
        let due = whole.dropFirst().filter { $0.split(separator: ",")[1] < caughtUpAt }.count
        #expect(live.count - 1 >= due, "every transaction due before it caught up is out: \(live.count - 1) of \(due)")
    }

    @Test func aPortInUseIsRefusedInOneLine() throws {
        let first = try ReplayBinary.start(["--realtime", "--output-dir", try TemporaryFolder().path, "--brokers", "none",
                                            "--metrics-port", "0"])
        defer { first.signal(SIGKILL); _ = first.finish() }
        let base = try #require(Self.address(of: first))
        let port = String(base.split(separator: ":").last!)
        let folder = try TemporaryFolder()
        let second = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-01",
                                           "--output-dir", folder.path, "--brokers", "none", "--metrics-port", port])
        #expect(second.status == 1 && second.stderrLines.count == 1 && second.stderr.contains("127.0.0.1:\(port)"), "\(second.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("merchants.json")))
    }
}
