import DevelopmentBroker
import Engine
import KafkaClient
import Records
import Runner

/// `--check-config`: what a command line would run, for checking a deploy file. The parser has
/// already checked every option; this reads the `--kafka-config` file and checks the Kafka
/// properties with librdkafka, then describes the run (secret values as `***`). It touches no
/// folder and opens no connection.
struct ConfigCheck {
    let command: Generate

    /// The description, one `name: value` line each, then the effective Kafka properties.
    func report() throws -> String {
        let kafka = command.kafka.settings
        for warning in try kafka.warnings {
            StandardError.write(command.logFormat.line(level: .warning, message: warning, metadata: [:], label: "replay"))
        }
        let configuration = try kafka.producerConfiguration(bootstrapServers: kafka.brokers.description, pace: command.pace ?? (command.realtime ? .factor(1) : .max))
        var lines = [
            "mode: \(mode)",
            "output dir: \(command.outputDir)",
            "seed: \(command.seed.map(String.init) ?? "\(RunRequest.defaultSeed) for a new simulation, else the saved one"), scale: \(command.scale.map { "\($0)" } ?? "1 for a new simulation, else the saved one")",
            "time zone: \(command.timezone?.identifier ?? "UTC for a new simulation, else the one saved in merchants.json")",
            "pace: \(command.pace?.description ?? (command.realtime ? "realtime" : "max") + " (the default)")",
            "log: \(command.logFormat.rawValue)\(command.debug ? ", debug" : command.quiet ? ", warnings and errors only" : "")",
            "brokers: \(brokers)",
            "lifecycle: \(command.lifecycle ? "on (--lifecycle)" : "off for a new simulation, else as saved")\(try scenario)",
            "topics: \(topics())",
            "shard: \(try shard)",
            "values: \(try values)",
            "disorder: \(disorder)",
            "metrics: \(command.metrics.port.map { "http://\(command.metrics.address):\($0)/metrics, /healthz, /readyz" } ?? "off")",
        ]
        if command.force { lines.append("force: yes (-f)") }
        let settings = configuration.effectiveSettings.filter { $0.name != "bootstrap.servers" }
        let width = settings.map { $0.name.count + $0.shownValue.count + 1 }.max() ?? 0
        lines.append("kafka properties\(kafka.brokers.publishes ? "" : " (unused with --brokers none)"):")
        for setting in settings {
            let property = "\(setting.name)=\(setting.shownValue)"
            lines.append("  " + property + String(repeating: " ", count: width - property.count) + "  (\(setting.origin))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The run's topics, `names` of them (topics or subjects): those of the standard streams, and
    /// the lifecycle's with `--lifecycle`; without it, an incremental run or a live feed publishes
    /// the lifecycle's too when the saved simulation has it, which this check does not read.
    private func topics(_ names: (String) -> String = { $0 }) -> String {
        let all = command.kafka.settings.topics.map(names)
        let standard = all.prefix(EventStreams.count(lifecycle: false)).joined(separator: ", ")
        let lifecycle = all.dropFirst(EventStreams.count(lifecycle: false)).joined(separator: ", ")
        if command.lifecycle { return standard + ", " + lifecycle }
        return command.initial ? standard : standard + " (and \(lifecycle) if the saved simulation has the lifecycle)"
    }

    /// The scenario file's rates, when there is one.
    private var scenario: String {
        get throws {
            guard let path = command.scenario else { return "" }
            let scenario = try ScenarioFile.read(path)
            let shares = scenario.declineCodeShares.filter { $0.share > 0 }.map { "\($0.code) \($0.share)" }
            return "; scenario \(path): decline shares " + shares.joined(separator: ", ")
                + "; refunds: rate \(scenario.refunds.rate), mean wait \(scenario.refunds.meanWaitDays) days after the first"
                + "; disputes: rate \(scenario.disputes.rate)"
        }
    }

    /// The value format and, for Avro, the registry and subjects (no password).
    private var values: String {
        get throws {
            let kafka = command.kafka.settings
            guard kafka.valueFormat != .json else { return "json" }
            guard kafka.brokers.publishes else { return "json (--format avro is ignored with --brokers none)" }
            guard let registry = try kafka.registrySettings() else { return "json" }
            return "avro, schema registry \(registry.description), subjects " + topics(KafkaSettings.subject(of:))
        }
    }

    /// Late and duplicate delivery, or in order.
    private var disorder: String {
        guard let settings = command.disorder.settings else { return "none (every transaction delivered once, in event-time order)" }
        let log = command.disorder.writesLog ? ", logged in disorder_<start>_<end>.csv" : ""
        let ignored = !command.kafka.brokers.publishes ? " (no stream with --brokers none)" : ""
        return "\(settings)\(log)\(ignored)"
    }

    private var mode: String {
        if command.initial, let start = command.startDate, let end = command.endDate {
            return "initial, \(start) to \(end) (\(end.ordinal - start.ordinal + 1) days)"
        }
        if command.incremental {
            return "incremental, \(command.date?.description ?? "yesterday (UTC)"), which must follow last_generated_date in merchants.json"
        }
        return "realtime, a live feed from now until SIGINT/SIGTERM"
    }

    /// The shard and what it owns; `auto` is resolved as the run would resolve it.
    private var shard: String {
        get throws {
            let shard = try command.shard.resolve()
            if shard.isWhole { return "none (one process publishes and writes everything)" }
            let rule = !command.kafka.brokers.publishes ? "merchants whose key's murmur2" : "Kafka partitions p with p"
            return "\(shard)\(command.shard == .fixed(shard) ? "" : " (from \(ShardOption.indexVariable))"): \(rule) mod \(shard.count) = \(shard.index), "
                + "files in \(SessionRequest.folder(of: shard, in: command.outputDir))"
        }
    }

    private var brokers: String {
        switch command.kafka.brokers {
        case .embedded: "embedded (librdkafka's mock cluster in this process, \(EmbeddedBroker.defaultPartitionCount) partitions per topic)"
        case .filesOnly: "none (files only)"
        case let .servers(servers): servers
        }
    }
}
