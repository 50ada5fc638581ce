import Foundation

/// Where a run publishes: an in-process broker, no Kafka at all, or a cluster's bootstrap servers.
/// On the command line (`--brokers`) and in a run's record it is written `embedded`, `none` or
/// `host:port,…`.
public enum BrokerChoice: Equatable, Sendable, CustomStringConvertible {
    /// librdkafka's mock cluster in this process, stopped with the run.
    case embedded
    /// Files only: nothing is published.
    case filesOnly
    /// A cluster's bootstrap servers (`host:port,…`).
    case servers(String)

    /// Reads `embedded`, `none` or a list of servers; nil for an empty one.
    public init?(argument: String) {
        switch argument {
        case "embedded": self = .embedded
        case "none": self = .filesOnly
        case let servers:
            guard !servers.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
            self = .servers(servers)
        }
    }

    /// As written on the command line.
    public var description: String {
        switch self {
        case .embedded: "embedded"
        case .filesOnly: "none"
        case let .servers(servers): servers
        }
    }

    /// True unless files only.
    public var publishes: Bool { self != .filesOnly }
}
