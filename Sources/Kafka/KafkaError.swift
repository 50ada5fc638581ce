import Sinks

/// A Kafka failure, told in one line that names the broker or property involved and never a secret.
public struct KafkaError: ReportableError {
    public let description: String

    init(_ description: String) { self.description = description }
}
