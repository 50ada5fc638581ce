import CRdKafka
import Foundation

/// The producer's librdkafka properties: safe defaults for data that must not be lost, then the
/// properties of a `--kafka-config` file, then the user's `-X key=value` overrides (a later one
/// wins), each checked by librdkafka up front.
public struct ProducerConfiguration: Sendable {
    /// Defaults a Kafka user expects for data that must not be lost (batching follows `Batching`).
    public static let defaults: [(String, String)] = [
        ("client.id", "replay"),
        ("enable.idempotence", "true"),
        ("acks", "all"),
        ("compression.type", "lz4"),
        ("batch.num.messages", "10000"),
        ("queue.buffering.max.messages", "500000"),
        ("queue.buffering.max.kbytes", "262144"),
        // The partitioner of the Java client, so that keys land where Java producers put them.
        ("partitioner", "murmur2_random"),
    ]

    public let bootstrapServers: String
    /// Every property in the order librdkafka applies them.
    public let settings: [Setting]

    /// `settings` as name and value.
    public var properties: [(String, String)] { settings.map { ($0.name, $0.value) } }

    /// Each property once, with the value that applies and where it was set, by name.
    public var effectiveSettings: [Setting] {
        var latest: [String: Setting] = [:]
        for setting in settings { latest[setting.name] = setting }
        return latest.values.sorted { $0.name < $1.name }
    }

    /// How long librdkafka holds messages to fill a batch (a batch is also capped by `batch.size`,
    /// 1 MB by default, the size a broker takes; 10,000 records of ours are more than that).
    public enum Batching: Sendable {
        /// `--pace max`: nothing waits on a clock, so fuller batches and fewer produce requests.
        case throughput
        /// Paced and live runs: an event should reach the broker within a few milliseconds of its time.
        case latency

        public var settings: [(String, String)] {
            switch self {
            case .throughput: [("linger.ms", "20")]
            case .latency: [("linger.ms", "5")]
            }
        }
    }

    /// Checks every property with librdkafka; the first invalid one is an error naming it (and the
    /// file and line it came from).
    public init(bootstrapServers: String, batching: Batching = .latency, file: KafkaConfigFile? = nil, overrides: [String]) throws {
        var settings = (Self.defaults + batching.settings).map { Setting(name: $0.0, value: $0.1, origin: .defaults) }
        settings.append(Setting(name: "bootstrap.servers", value: bootstrapServers, origin: .brokers))
        if let file {
            settings += file.entries.map { Setting(name: $0.name, value: $0.value, origin: .file(path: file.path, line: $0.line)) }
        }
        for item in overrides {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw KafkaError("-X \(Self.shown(item)) is not of the form key=value")
            }
            settings.append(Setting(name: String(item[..<equals]), value: String(item[item.index(after: equals)...]), origin: .override))
        }
        for setting in settings where setting.origin.isUser && Self.bootstrapNames.contains(setting.name) {
            throw KafkaError("\(setting.origin.label)\(setting.name): set the brokers with --brokers")
        }
        self.bootstrapServers = bootstrapServers
        self.settings = settings
        rd_kafka_conf_destroy(try makeNativeConfiguration())
        if let problem = ExactlyOnceSettings.problem(in: settings) { throw KafkaError(problem) }
    }

    /// A new librdkafka configuration object; the caller owns it.
    package func makeNativeConfiguration() throws -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var message = [CChar](repeating: 0, count: 512)
        for setting in settings {
            let result = rd_kafka_conf_set(conf, setting.name, setting.value, &message, message.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                throw KafkaError("\(setting.origin.label)\(setting.name): \(hidingSecrets(in: String(cBuffer: message)))")
            }
        }
        return conf
    }

    /// The values of the secret properties, which no message may show.
    var secretValues: [String] {
        settings.filter { Self.isSecret($0.name) && !$0.value.isEmpty }.map(\.value)
    }

    /// `text` with the value of every secret property replaced by `***`.
    func hidingSecrets(in text: String) -> String {
        secretValues.reduce(text) { $0.replacingAll($1, with: "***") }
    }

    /// The names under which librdkafka takes the bootstrap servers, which only `--brokers` sets.
    private static let bootstrapNames: Set<String> = ["bootstrap.servers", "metadata.broker.list"]

    /// True for properties whose values must never be printed.
    public static func isSecret(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return ["password", "secret", "sasl.oauthbearer.config", "ssl.key.pem", "ssl_key", "token", "user.info"].contains { lowered.contains($0) }
    }

    /// A `-X` item as a message may show it.
    private static func shown(_ item: String) -> String {
        guard let equals = item.firstIndex(of: "=") else { return item }
        return isSecret(String(item[..<equals])) ? String(item[...equals]) + "***" : item
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}

extension String {
    /// The text of a NUL-terminated C character buffer that librdkafka filled.
    package init(cBuffer: [CChar]) {
        self.init(decoding: cBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
