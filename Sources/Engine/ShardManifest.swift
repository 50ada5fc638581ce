import Records
import Foundation
import Simulation
import Checkpoints

/// What every shard of a sharded run must agree on, kept beside the shards' folders as
/// `shards_<start>_<end>.json` (one file per period the shards run). The first shard of a
/// period creates it (atomically, never replacing one); every other shard, and every re-run,
/// compares itself with it and with the files of the other periods, and is refused in one line
/// when it differs: then the shards' union would not be one run.
///
/// Shards on separate disks do not see each other's manifests; there the Kafka side still refuses
/// a shard that finds records of the simulation placed by another partition count
/// (`PublishedPositions`, over every partition), and the same arguments on every shard are the
/// user's to give.
public struct ShardManifest: Codable, Sendable {
    public var start: Day
    public var end: Day
    public var seed: UInt64
    public var scale: Double
    /// The simulation's first day (an incremental period's manifest names it too).
    public var firstDay: Day
    public var timeZone: String
    public var shardCount: Int
    /// Topic names in `EventStream` order and their partition counts; absent for files only.
    public var topics: [String]?
    public var partitionCounts: [Int]?
    /// The disorder settings (`DisorderSettings.description`, and whether the shards log it); absent for in-order delivery.
    public var disorder: String?
    /// True when the simulation has the payment lifecycle; absent (nil) without it.
    public var lifecycle: Bool?
    /// The lifecycle's rates (`LifecycleScenario.description`) when a scenario changed them; absent otherwise.
    public var scenario: String?

    public init(period: Period, seed: UInt64, scale: Double, firstDay: Day, timeZone: String, shardCount: Int,
                topics: [String]?, partitionCounts: [Int]?, disorder: DisorderRecord? = nil, lifecycle: Bool = false,
                scenario: LifecycleScenario = .standard) {
        start = period.start
        end = period.end
        self.seed = seed
        self.scale = scale
        self.firstDay = firstDay
        self.timeZone = timeZone
        self.shardCount = shardCount
        self.topics = topics
        self.partitionCounts = partitionCounts
        self.disorder = disorder.map { "\($0.settings)\($0.writesLog ? ", logged" : "")" }
        self.lifecycle = lifecycle ? true : nil
        self.scenario = scenario == .standard ? nil : scenario.description
    }

    private enum CodingKeys: String, CodingKey {
        case start, end, seed, scale
        case firstDay = "first_day", timeZone = "time_zone", shardCount = "shard_count", topics
        case partitionCounts = "partition_counts", disorder, lifecycle, scenario
    }

    public var fileName: String { "shards_\(start)_\(end).json" }

    /// Checks this shard against the manifests in `root` and records its period's manifest if it
    /// is the first; throws a one-line `UserError` naming the first difference.
    public func claim(in root: String, shard: Shard) throws {
        let path = root + "/" + fileName
        for (name, other) in try Self.manifests(in: root) {
            try check(against: other, named: root + "/" + name, shard: shard)
        }
        let content = EncodingBuffer()
        content.append(String(decoding: try Self.encoder.encode(self), as: UTF8.self) + "\n")
        if try AtomicFile.create(content, at: path) {
            // A shard of another period may have created its manifest meanwhile: check again, and
            // take this one back if they disagree.
            do {
                for (name, other) in try Self.manifests(in: root) where name != fileName {
                    try check(against: other, named: root + "/" + name, shard: shard)
                }
            } catch {
                unlink(path)
                throw error
            }
        } else {
            // Another shard created it meanwhile: agree with what it wrote.
            guard let written = try Self.manifest(at: path) else { throw UserError("cannot read \(path)") }
            try check(against: written, named: path, shard: shard)
        }
    }

    /// The differences that make shards incompatible: any field for the same period; the
    /// simulation and the layout for another period, which must not overlap this one.
    private func check(against other: ShardManifest, named path: String, shard: Shard) throws {
        let samePeriod = other.start == start && other.end == end
        var differences: [(String, String, String)] = [
            ("seed", "\(seed)", "\(other.seed)"),
            ("scale", "\(scale)", "\(other.scale)"),
            ("first day", "\(firstDay)", "\(other.firstDay)"),
            ("time zone", timeZone, other.timeZone),
            ("shard count", "\(shardCount)", "\(other.shardCount)"),
            ("topics", topics?.joined(separator: ",") ?? "none (files only)", other.topics?.joined(separator: ",") ?? "none (files only)"),
            ("partition counts", partitionCounts.map { "\($0)" } ?? "none", other.partitionCounts.map { "\($0)" } ?? "none"),
            ("lifecycle", lifecycle == true ? "on" : "off", other.lifecycle == true ? "on" : "off"),
            ("scenario", scenario ?? "the defaults", other.scenario ?? "the defaults"),
        ]
        if samePeriod { differences.append(("disorder", disorder ?? "none", other.disorder ?? "none")) }
        if !samePeriod && start <= other.end && other.start <= end {
            differences.append(("period", "\(start) to \(end)", "\(other.start) to \(other.end)"))
        }
        guard let (field, mine, theirs) = differences.first(where: { $0.1 != $0.2 }) else { return }
        throw UserError("shard \(shard) does not match the sharded run recorded in \(path): \(field) \(mine) here, \(theirs) there; "
            + "give every shard the same arguments, or use another --output-dir (to redo the sharded run with other arguments, "
            + "remove the shards_*.json files together with every shard-*-of-* folder)")
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    private static func manifests(in root: String) throws -> [(String, ShardManifest)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return try names.filter { $0.hasPrefix("shards_") && $0.hasSuffix(".json") }.sorted().compactMap { name in
            try manifest(at: root + "/" + name).map { (name, $0) }
        }
    }

    private static func manifest(at path: String) throws -> ShardManifest? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(ShardManifest.self, from: data)
        } catch {
            throw UserError("\(path) is corrupt (\(error.localizedDescription)): it records what the shards of a sharded run agreed on; "
                + "remove it only together with every shard's folder")
        }
    }
}
