import Simulation

/// What `merchants.json` records about a run that has not finished (under way, stopped or
/// killed): the command it runs, where it publishes, and how many bytes of each file its last
/// checkpoint covers. Running the same command again continues it; a different command is
/// refused. A completed run leaves no record, so a finished state is the same bytes however it
/// was produced.
public struct RunRecord: Equatable, Decodable, Sendable {
    /// The kind of command.
    public enum Command: String, Codable, Sendable {
        case initial, incremental, realtime

        /// The command-line flag that selects it.
        public var flag: String { "--\(rawValue)" }
    }

    /// Where a run publishes.
    public struct KafkaTarget: Equatable, Decodable, Sendable {
        /// The `--brokers` argument (`embedded` or `host:port,…`).
        public var brokers: String
        /// Merchant topic, then transaction topic.
        public var topics: [String]
        /// Each topic's partition count when the run started (empty until it connects): records
        /// are placed by key modulo this count, so a re-run must find the same.
        public var partitions: [Int]
        /// `--format` of the values (`json`, `avro`): a re-run must not mix formats in a topic.
        public var valueFormat: String
        /// What the topics held of the run at the last checkpoint; nil before the first.
        public var publication: Publication?

        public init(brokers: String, topics: [String], partitions: [Int] = [], valueFormat: String = "json") {
            self.brokers = brokers
            self.topics = topics
            self.partitions = partitions
            self.valueFormat = valueFormat
        }

        private enum CodingKeys: String, CodingKey {
            case brokers, topics, partitions, publication
            case valueFormat = "format"
        }

        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            brokers = try container.decode(String.self, forKey: .brokers)
            topics = try container.decode([String].self, forKey: .topics)
            partitions = try container.decodeIfPresent([Int].self, forKey: .partitions) ?? []
            valueFormat = try container.decodeIfPresent(String.self, forKey: .valueFormat) ?? "json"
            publication = try container.decodeIfPresent(Publication.self, forKey: .publication)
        }

        /// Why a run published with these counts cannot continue on topics with `current` counts; nil when it can.
        public func partitionChange(to current: [Int]) -> String? {
            guard !partitions.isEmpty, partitions != current else { return nil }
            let now = zip(topics, current).map { "\($0) has \($1)" }.joined(separator: ", ")
            let then = partitions.map(String.init).joined(separator: " and ")
            return "\(now) partitions, but the unfinished run started with \(then): a key's records would move to another partition; "
                + "restore the partition counts, or pass -f to start over"
        }
    }

    /// What a run's topics held of it when it last made them durable, so that a re-run can tell
    /// whether the cluster still holds it all (see `PublishedPositions.losses`).
    public struct Publication: Equatable, Codable, Sendable {
        /// The cluster's id; nil when it did not say.
        public var clusterId: String?
        /// Per topic, per partition: the newest record the run published there in order (its
        /// `replay_seq`, and with disorder a space and its `replay_delivery`); nil where none.
        public var newest: [[String?]]
        /// Per topic, per partition: the offset of that record; nil where unknown.
        public var offsets: [[Int64?]]
        /// Per topic: records of the run that a partition holds out of their order, and that the
        /// run has not passed yet (`PARTITION POSITION`): published before a lost cluster was
        /// noticed, they stay where they are and are skipped when their turn comes.
        public var held: [[String]]

        public init(clusterId: String?, newest: [[String?]], offsets: [[Int64?]], held: [[String]]) {
            self.clusterId = clusterId
            self.newest = newest
            self.offsets = offsets
            self.held = held
        }

        enum CodingKeys: String, CodingKey {
            case clusterId = "cluster_id", newest, offsets, held
        }
    }

    public var command: Command
    /// First and last day of an initial run; the day of an incremental one; the first day of a live feed.
    public var startDate: Day?
    public var endDate: Day?
    /// IANA zone of the simulated clock.
    public var timeZone: String
    /// nil for a files-only run.
    public var kafka: KafkaTarget?
    /// File name → byte length at the last checkpoint, for the files of the period under way.
    public var files: [String: Int]
    /// nil when every transaction is delivered once, in order.
    public var disorder: DisorderRecord?

    public init(command: Command, startDate: Day? = nil, endDate: Day? = nil, timeZone: String,
                kafka: KafkaTarget?, files: [String: Int] = [:], disorder: DisorderRecord? = nil) {
        self.command = command
        self.startDate = startDate
        self.endDate = endDate
        self.timeZone = timeZone
        self.kafka = kafka
        self.files = files
        self.disorder = disorder
    }

    enum CodingKeys: String, CodingKey {
        case command
        case startDate = "start_date"
        case endDate = "end_date"
        case timeZone = "timezone"
        case kafka
        case files
        case disorder
    }

    /// The command line that describes this run, for messages (`--initial --start-date … --end-date …`).
    public var commandLine: String {
        var words = [command.flag]
        if command == .initial, let startDate, let endDate {
            words += ["--start-date", startDate.description, "--end-date", endDate.description]
        } else if command == .incremental, let startDate {
            words += ["--date", startDate.description]
        }
        if timeZone != "UTC" { words += ["--timezone", timeZone] }
        return words.joined(separator: " ")
    }

    /// The first way `other` differs from this run, as a phrase (`--brokers none instead of embedded`); nil when it is the same run.
    public func difference(from other: RunRecord) -> String? {
        // A live feed's record keeps the day it started; any live feed command continues it.
        if other.command != command || (command != .realtime && (other.startDate != startDate || other.endDate != endDate)) {
            return "\(other.commandLine) instead of \(commandLine)"
        }
        if other.timeZone != timeZone { return "--timezone \(other.timeZone) instead of \(timeZone)" }
        if let change = disorderDifference(from: other) { return change }
        switch (kafka, other.kafka) {
        case (nil, nil):
            return nil
        case let (mine?, theirs?):
            if mine.brokers != theirs.brokers { return "--brokers \(theirs.brokers) instead of \(mine.brokers)" }
            if mine.topics != theirs.topics {
                return "topics \(theirs.topics.joined(separator: ", ")) instead of \(mine.topics.joined(separator: ", "))"
            }
            if mine.valueFormat != theirs.valueFormat { return "--format \(theirs.valueFormat) instead of \(mine.valueFormat)" }
            return nil
        case let (mine?, nil):
            return "--brokers none instead of \(mine.brokers)"
        case let (nil, theirs?):
            return "--brokers \(theirs.brokers) instead of none"
        }
    }
}

extension RunRecord {
    /// How `other`'s disorder options differ from this run's; nil when they are the same.
    private func disorderDifference(from other: RunRecord) -> String? {
        if disorder?.settings == other.disorder?.settings && disorder?.writesLog == other.disorder?.writesLog { return nil }
        return "\(other.disorder?.options ?? "no disorder options") instead of \(disorder?.options ?? "none")"
    }
}

/// What a checkpoint commits: the simulation state (how far every sink got) and, while the run
/// is unfinished, its record.
public struct Checkpoint: Equatable, Sendable {
    public var state: SimulationState
    public var unfinishedRun: RunRecord?

    public init(state: SimulationState, unfinishedRun: RunRecord?) {
        self.state = state
        self.unfinishedRun = unfinishedRun
    }
}
