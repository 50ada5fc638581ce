import Checkpoints
import Engine
import Records

/// Everything a session needs to run: the run itself (mode, seed, scale, zone, pace, disorder),
/// where its files go, which shard it is, where it publishes and where it serves its metrics.
public struct SessionRequest: Sendable {
    /// The run (its Kafka target is always `kafka`'s: see `plannedRun`).
    public var run: RunRequest
    /// The folder of the batch files and `merchants.json` (a shard writes in its own folder inside it).
    public var outputDir: String
    public var shard: Shard
    public var kafka: KafkaSettings
    /// nil: no metrics server.
    public var metrics: MetricsSettings?
    /// How the run cuts its days into parts; tests and `replay-fault-injection` make them small.
    package var dayParts = DayPartLimits.standard

    public init(run: RunRequest, outputDir: String, shard: Shard = .whole, kafka: KafkaSettings, metrics: MetricsSettings? = nil) {
        self.run = run
        self.outputDir = outputDir
        self.shard = shard
        self.kafka = kafka
        self.metrics = metrics
    }

    /// The run as the planner gets it, with `kafka`'s target, however `run` and `kafka` were set.
    public var plannedRun: RunRequest {
        var planned = run
        planned.kafka = kafka.target
        return planned
    }

    /// Why this request cannot run as asked, in one line; nil when it can.
    public var problem: String? { Self.shardingProblem(shards: shard.count, mode: run.mode, brokers: kafka.brokers) }

    /// Why a run of `mode` publishing to `brokers` cannot be split in `shards`; nil when it can.
    public static func shardingProblem(shards: Int, mode: RunRequest.Mode, brokers: BrokerChoice) -> String? {
        guard shards > 1 else { return nil }
        if mode == .realtime { return "--shard splits a history (--initial, --incremental); a live feed runs as one process" }
        if brokers == .embedded {
            return "--shard needs a cluster that every shard reaches (--brokers HOST:PORT) or --brokers none: an embedded broker lives in one process"
        }
        return nil
    }

    /// The folder a shard writes in: `outputDir` itself for an unsharded run.
    public static func folder(of shard: Shard, in outputDir: String) -> String {
        shard.isWhole ? outputDir : outputDir + "/shard-\(shard.index)-of-\(shard.count)"
    }
}
