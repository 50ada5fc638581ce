/// The producer settings that replay's exactly-once publishing rests on: the idempotent producer
/// (each partition in produce order, no duplicate from a retry) with what it needs. A user setting
/// that undoes one of them is refused up front, naming where it was set.
enum ExactlyOnceSettings {
    /// A rule on one property (and librdkafka's alias for it).
    private struct Rule: Sendable {
        let names: Set<String>
        /// What the property must be, for the message.
        let requirement: String
        let allows: @Sendable (String) -> Bool
    }

    private static let rules = [
        Rule(names: ["enable.idempotence"], requirement: "enable.idempotence=true") { !["false", "0"].contains($0.lowercased()) },
        Rule(names: ["acks", "request.required.acks"], requirement: "acks=all") { ["all", "-1"].contains($0.lowercased()) },
        Rule(names: ["max.in.flight.requests.per.connection", "max.in.flight"], requirement: "at most 5 requests in flight") {
            Int($0).map { $0 <= 5 } ?? true
        },
        Rule(names: ["message.send.max.retries", "retries"], requirement: "retries (at least 1)") { Int($0).map { $0 >= 1 } ?? true },
        Rule(names: ["transactional.id"], requirement: "no transactional.id (replay does not use Kafka transactions)") { $0.isEmpty },
    ]

    /// The first user setting in `settings` that breaks exactly-once publishing, as one line; nil when none does.
    static func problem(in settings: [ProducerConfiguration.Setting]) -> String? {
        for setting in settings where setting.origin.isUser {
            guard let rule = rules.first(where: { $0.names.contains(setting.name) }), !rule.allows(setting.value) else { continue }
            return "\(setting.origin.label)\(setting.name)=\(setting.shownValue): replay publishes each event exactly once through "
                + "librdkafka's idempotent producer, which needs \(rule.requirement); remove the setting"
        }
        return nil
    }
}
