extension ProducerConfiguration {
    /// One property and where it was set.
    public struct Setting: Sendable {
        public enum Origin: Sendable, CustomStringConvertible {
            case defaults, brokers, file(path: String, line: Int), override

            public var description: String {
                switch self {
                case .defaults: "default"
                case .brokers: "--brokers"
                case let .file(path, line): "\(path):\(line)"
                case .override: "-X"
                }
            }
        }

        public let name: String
        public let value: String
        public let origin: Origin

        /// The value as a message may show it: `***` for a secret property.
        public var shownValue: String { ProducerConfiguration.isSecret(name) ? "***" : value }
    }
}

extension ProducerConfiguration.Setting.Origin {
    /// Set by the user, in a file or with `-X`.
    var isUser: Bool {
        switch self {
        case .file, .override: true
        case .defaults, .brokers: false
        }
    }

    /// How a message names where a property was set, e.g. `-X ` or `--kafka-config FILE line 3: `.
    var label: String {
        switch self {
        case let .file(path, line): "--kafka-config \(path) line \(line): "
        case .override: "-X "
        case .defaults, .brokers: ""
        }
    }
}
