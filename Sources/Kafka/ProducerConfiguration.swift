import CRdKafka
import Foundation

/// The producer's librdkafka properties: safe defaults for data that must not be lost, then the
/// user's `-X key=value` overrides, each checked by librdkafka up front.
public struct ProducerConfiguration: Sendable {
    /// Defaults a Kafka user expects for data that must not be lost, batched for throughput.
    public static let defaults: [(String, String)] = [
        ("client.id", "replay"),
        ("enable.idempotence", "true"),
        ("acks", "all"),
        ("compression.type", "lz4"),
        ("linger.ms", "5"),
        ("batch.num.messages", "10000"),
        ("queue.buffering.max.messages", "500000"),
        ("queue.buffering.max.kbytes", "262144"),
        // The partitioner of the Java client, so that keys land where Java producers put them.
        ("partitioner", "murmur2_random"),
    ]

    public let bootstrapServers: String
    public let properties: [(String, String)]

    /// Checks every property with librdkafka; the first invalid one is an error naming it.
    public init(bootstrapServers: String, overrides: [String]) throws {
        var properties = Self.defaults + [("bootstrap.servers", bootstrapServers)]
        for item in overrides {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw KafkaError("-X \(Self.redacted(item)) is not of the form key=value")
            }
            properties.append((String(item[..<equals]), String(item[item.index(after: equals)...])))
        }
        self.bootstrapServers = bootstrapServers
        self.properties = properties
        rd_kafka_conf_destroy(try makeNativeConfiguration())
    }

    /// A new librdkafka configuration object; the caller owns it.
    func makeNativeConfiguration() throws -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var message = [CChar](repeating: 0, count: 512)
        for (name, value) in properties {
            let result = rd_kafka_conf_set(conf, name, value, &message, message.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                let reason = Self.hide(value, of: name, in: String(cBuffer: message))
                throw KafkaError("-X \(name): \(reason)")
            }
        }
        return conf
    }

    /// True for properties whose values must never be printed.
    static func isSecret(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return ["password", "secret", "sasl.oauthbearer.config", "ssl.key.pem", "ssl_key", "token"].contains { lowered.contains($0) }
    }

    /// `text` with the value of a secret property replaced by `***`.
    static func hide(_ value: String, of name: String, in text: String) -> String {
        guard isSecret(name), !value.isEmpty else { return text }
        return text.replacingAll(value, with: "***")
    }

    private static func redacted(_ item: String) -> String {
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
    init(cBuffer: [CChar]) {
        self.init(decoding: cBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
