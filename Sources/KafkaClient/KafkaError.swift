/// A Kafka failure, told in one line that names the broker or property involved and never a secret.
public struct KafkaError: Error, CustomStringConvertible {
    public let description: String

    package init(_ description: String) { self.description = description }
}
