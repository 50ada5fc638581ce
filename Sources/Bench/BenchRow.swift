import DevelopmentBroker
import SimulatedClock
import Records
import Engine
import Foundation
import KafkaClient
import KafkaBaseline
import Simulation
import Checkpoints
import BatchFiles
import Logging
import Runner

/// One benchmark row, run in its own process: does the work, times it, reports one line.
struct BenchRow {
    let name: String
    let days: Int
    let brokers: String
    let count: Int
    let pace: String
    let scale: Double
    let seconds: Double
    /// `I/N` for a shard of a sharded replay row.
    var shard = "0/1"
    /// The partitions of each topic where the records go (the raw baseline partitions its messages for them).
    var partitions = EmbeddedBroker.defaultPartitionCount

    static let firstDay = Day(iso: "2024-01-01")!
    /// The `kafka-disorder` row's late and duplicate delivery (with its log).
    static let disorder = DisorderSettings(lateFraction: 0.1, maxLatenessSeconds: 7_200, duplicateFraction: 0.02)
    private var lastDay: Day { Self.firstDay.adding(days: days - 1) }

    func run() throws -> BenchResult {
        // The cluster serves until the bench stops it with a signal, so it gets no folder to leave behind.
        if name == "cluster" { try serveCluster() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("replay-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        switch name {
        case "simulate": return simulate()
        case "files": return try generate(into: folder, brokers: .filesOnly)
        case "files-next-day": return try generate(into: folder, brokers: .filesOnly, nextDay: true)
        case "kafka": return try generate(into: folder, brokers: try broker)
        case "kafka-avro": return try generate(into: folder, brokers: try broker, values: .avro(registryURL: try BenchRegistry().url))
        case "kafka-disorder": return try generate(into: folder, brokers: try broker, disorder: Self.disorder)
        case "files-lifecycle": return try generate(into: folder, brokers: .filesOnly, lifecycle: true)
        case "files-next-day-lifecycle": return try generate(into: folder, brokers: .filesOnly, nextDay: true, lifecycle: true)
        case "kafka-lifecycle": return try generate(into: folder, brokers: try broker, lifecycle: true)
        case "files-baseline":
            let started = Date()
            _ = FileWriteBaseline.write(rows: count, to: folder + "/baseline.csv")
            return BenchResult(count: count, seconds: Date().timeIntervalSince(started))
        case "kafka-baseline": return try produceRaw()
        case "encode-json": return encodeValues(.json)
        case "encode-avro": return encodeValues(.avro(schemaIds: [1, 2]))
        case "pacing": return try pacing(into: folder)
        default: throw UserError("unknown benchmark row \(name)")
        }
    }

    private func simulate() -> BenchResult {
        var simulator = Simulator(state: SimulationState(seed: RunRequest.defaultSeed))
        var events = 0
        let started = Date()
        for offset in 0..<days { events += simulator.simulate(Self.firstDay.adding(days: offset)).count }
        return BenchResult(count: events, seconds: Date().timeIntervalSince(started))
    }

    /// `shard` (`I/N`) as a shard.
    private var shardToRun: Shard {
        get throws {
            guard let parsed = Shard(shard) else { throw UserError("--shard '\(shard)' is not I/N") }
            return parsed
        }
    }

    /// Where the Kafka rows publish.
    private var broker: BrokerChoice {
        get throws {
            guard let choice = BrokerChoice(argument: brokers) else { throw UserError("--brokers '\(brokers)' names no broker") }
            return choice
        }
    }

    /// The production path: the run of `replay --initial … -f` as a `RunSession` in this process
    /// (as `shard`, whose files hold the events it published). With `nextDay`, that history is
    /// written first, untimed, and the row is the day after it (`replay --incremental -f`). With
    /// `lifecycle`, the simulation has the payment lifecycle (`--lifecycle`) and its events count too.
    private func generate(into root: String, brokers: BrokerChoice, values: ValueFormatChoice = .json,
                          disorder: DisorderSettings? = nil, nextDay: Bool = false, lifecycle: Bool = false) throws -> BenchResult {
        let shard = try self.shardToRun
        let history = Period(start: Self.firstDay, end: lastDay)
        let period = nextDay ? Period(day: lastDay.adding(days: 1)) : history
        func request(_ mode: RunRequest.Mode) -> SessionRequest {
            let run = RunRequest(mode: mode, seed: nil, scale: scale, timeZone: nil, pace: nil, force: true, kafka: nil, disorder: disorder,
                                 writesDisorderLog: disorder != nil, lifecycle: lifecycle)
            return SessionRequest(run: run, outputDir: root, shard: shard, kafka: KafkaSettings(brokers: brokers, valueFormat: values))
        }
        var logger = Logger(label: "replay-bench") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning  // as `replay --quiet`: warnings (a broker's retention overflowing) and errors only
        if nextDay, try RunSession(request(.initial(history)), logger: logger).run().outcome != .completed {
            throw UserError("the benchmark's history before the next day did not complete")
        }
        let folder = SessionRequest.folder(of: shard, in: root)
        let checkpoints = CheckpointWrites(folder: folder)
        let session = RunSession(request(nextDay ? .incremental(period.start) : .initial(history)), logger: logger, observers: [checkpoints])
        let started = Date()
        let outcome = try session.run().outcome
        let seconds = Date().timeIntervalSince(started)
        guard outcome == .completed else { throw UserError("the benchmark's run did not complete: \(outcome)") }
        let peak = PeakMemory.mebibytes() ?? 0
        var events = try Self.lineCount(folder + "/" + period.fileName("transactions")) - 1
        if brokers.publishes { events += try Self.lineCount(folder + "/" + period.fileName("merchants")) - 1 }
        if lifecycle {
            for stream in EventStreams.all.dropFirst(EventStreams.standard.count) {
                events += try Self.lineCount(folder + "/" + period.fileName(stream.batchFile.stem)) - 1
            }
        }
        var result = BenchResult(count: events, seconds: seconds)
        result.peakMiB = peak
        result.startedAt = started.timeIntervalSince1970
        result.checkpoints = checkpoints.count
        result.checkpointBytes = checkpoints.bytes
        result.checkpointSeconds = checkpoints.seconds
        result.checkpointMaxSeconds = checkpoints.maxSeconds
        return result
    }

    /// The same events as `generate`, encoded up front, then produced through raw librdkafka.
    private func produceRaw() throws -> BenchResult {
        var simulator = Simulator(state: SimulationState(seed: RunRequest.defaultSeed))
        let payload = EncodingBuffer(capacity: 64 << 20)
        let key = EncodingBuffer(capacity: 64), value = EncodingBuffer(capacity: 4_096)
        let collector = MessageCollector(payload: payload, partitionCount: partitions)
        for offset in 0..<days {
            let events = simulator.simulate(Self.firstDay.adding(days: offset))
            for (index, stream) in EventStreams.standard.enumerated() {
                collector.start(topic: index, day: events.day)
                try stream.writeRecords(0..<stream.count(in: events), of: events, as: .json, key: key, value: value, to: collector)
            }
        }
        let messages = collector.messages
        let topics = EventStreams.standard.map(\.defaultTopic)
        let broker = try self.broker == .embedded ? try EmbeddedBroker(topics: topics) : nil
        defer { broker?.shutDown() }
        let configuration = try ProducerConfiguration(bootstrapServers: broker?.bootstrapServers ?? brokers, batching: .throughput, overrides: [])
        let seconds = try withExtendedLifetime(payload) {
            try RawProduceBaseline.run(configuration: configuration, topics: topics, payload: payload.bytes, messages: messages,
                                       runId: RecordIdentity.runId(seed: RunRequest.defaultSeed, scale: 1, firstDay: Self.firstDay, timeZone: "UTC"))
        }
        return BenchResult(count: messages.count, seconds: seconds)
    }

    /// A cluster of 3 mock brokers in this process, the default topics with `partitions`
    /// partitions and replication factor 3, for rows run in other processes: prints its bootstrap
    /// line, then serves until its parent ends it.
    private func serveCluster() throws -> Never {
        // Waited for with sigwait, as `replay broker` does: the parent may have started this
        // process with them blocked, and the cluster's threads must not take them.
        var signals = sigset_t()
        sigemptyset(&signals)
        for number in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&signals, number) }
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        let cluster = try EmbeddedBroker(brokerCount: 3, topics: EventStreams.standard.map(\.defaultTopic), partitions: partitions,
                                         replicationFactor: 3)
        print("bootstrap \(cluster.bootstrapServers)")
        fflush(nil)  // every stream: the parent reads this line before anything else is printed
        var received: Int32 = 0
        sigwait(&signals, &received)
        cluster.shutDown()
        exit(0)
    }

    /// Lag of each emitted event behind its schedule, from noon of the second simulated day on.
    private func pacing(into folder: String) throws -> BenchResult {
        let day = Self.firstDay.adding(days: 1)
        let noon = day.startSecond + 12 * 3600
        // Start at noon through the resume path: the morning's events count as delivered. The days
        // go through day parts, as in a run, so that a large scale does not hold a whole day.
        let source = DaySource(simulator: Simulator(state: SimulationState(seed: RunRequest.defaultSeed, scale: scale)),
                               days: [Self.firstDay, day], scratchFolder: folder)
        defer { source.cancel() }
        _ = try source.open(Self.firstDay)
        while try source.nextPart() != nil {}
        var state = source.closed!.after
        var morning = PartialDay(date: day, merchantEvents: try source.open(day).events.merchantEvents.count, transactions: 0)
        while let part = try source.nextPart() { morning.transactions += part.transactions.prefix { $0.timestamp < noon }.count }
        state.partialDay = morning
        // The clock starts when the first event is about to be emitted, not while the day is simulated.
        var started: Date?
        let stop = { () -> Bool in
            let since = started ?? Date()
            started = since
            return Date().timeIntervalSince(since) > seconds
        }
        let pacer = Pacer(pace: Pace(argument: pace)!, isInterrupted: stop)
        let record = RunRecord(command: .incremental, startDate: day, endDate: day, timeZone: "UTC", kafka: nil)
        let recorder = LagRecorder(pacer: pacer)
        let run = ReplayRun(
            start: Checkpoint(state: state, unfinishedRun: record), zone: .utc, publishers: [], snapshot: StateSnapshot(folder: folder),
            scratchFolder: folder, openFiles: { period, _ in try CSVFileSink(folder: folder, period: period, streams: EventStreams.standard) }, shouldStop: stop, observers: [recorder])
        // As a run does: its starting point committed before the first event (later checkpoints tell what changed).
        try run.begin()
        pacer.anchor(at: Double(noon), atFirstWait: true)
        _ = try run.run([Period(day: day)], pacer: pacer, finishing: true)
        let lags = recorder.lags.sorted()
        guard !lags.isEmpty else { throw UserError("no event fell due during the pacing row") }
        func percentile(_ p: Double) -> Double { lags[min(lags.count - 1, Int(Double(lags.count) * p))] * 1000 }
        return BenchResult(count: lags.count, seconds: seconds, p50: percentile(0.5), p99: percentile(0.99))
    }

    /// Lines of a file, read in blocks (after the timing and the RSS reading).
    private static func lineCount(_ path: String) throws -> Int {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw UserError("cannot read \(path)") }
        defer { try? handle.close() }
        var lines = 0
        while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty {
            lines += block.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        }
        return lines
    }
}

/// Records, for every event, how late its slice was handed to the sinks against its schedule
/// (every event of a slice goes out at the same instant).
private final class LagRecorder: RunObserver {
    private let pacer: Pacer
    private(set) var lags: [Double] = []

    init(pacer: Pacer) { self.pacer = pacer }

    func emitted(_ slice: EventSlice, simulatedSecond: Int64) {
        lags.append(contentsOf: repeatElement(pacer.lag(of: Double(simulatedSecond)), count: slice.count))
    }
}

/// Collects every record of the streams, pre-encoded, with the same partition and headers as the replay's.
private final class MessageCollector: RecordWriter {
    private let payload: EncodingBuffer
    private let sequence = EncodingBuffer(capacity: 64)
    private let partitionCount: Int
    private(set) var messages: [RawProduceBaseline.Message] = []
    private var topic = 0
    private var day = Day(ordinal: 0)
    private var keyRange = 0..<0
    private var partition: Int32 = 0

    init(payload: EncodingBuffer, partitionCount: Int) {
        self.payload = payload
        self.partitionCount = partitionCount
    }

    func start(topic: Int, day: Day) {
        self.topic = topic
        self.day = day
    }

    func admits(index: Int, key: UnsafeRawBufferPointer) -> Bool {
        let start = payload.count
        payload.append(key)
        keyRange = start..<payload.count
        partition = KeyPartitioner.partition(ofKey: key, partitionCount: partitionCount)
        return true
    }

    func write(index: Int, eventTime: Int64, eventType: StaticString, value: UnsafeRawBufferPointer) throws {
        let valueStart = payload.count
        payload.append(value)
        RecordIdentity.encodeSequence(day: day, index: index, into: sequence)
        let sequenceStart = payload.count
        payload.append(contentsOf: sequence)
        messages.append(.init(topic: topic, partition: partition, key: keyRange, value: valueStart..<sequenceStart,
                              sequence: sequenceStart..<payload.count, timestampMilliseconds: eventTime * 1_000))
    }
}

/// Counts a run's checkpoints, the seconds each took and the bytes each wrote: the growth of
/// `merchants.journal` (all of it when it was made anew), plus the size of `merchants.json`
/// whenever a checkpoint wrote it whole (a new file renamed in place: another inode or time).
private final class CheckpointWrites: RunObserver {
    private let snapshot: String
    private let journal: String
    private var snapshotFile: [Int]?
    private var journalBytes = 0
    private(set) var count = 0
    private(set) var bytes = 0
    private(set) var seconds = 0.0
    private(set) var maxSeconds = 0.0

    /// Counts from the files' state now (a history already in `folder` is not counted).
    init(folder: String) {
        snapshot = folder + "/" + StateSnapshot.fileName
        journal = folder + "/" + StateSnapshot.journalName
        snapshotFile = Self.status(snapshot)?.identity
        journalBytes = Self.status(journal)?.size ?? 0
    }

    func committed(_ checkpoint: Checkpoint, seconds: Double) {
        count += 1
        self.seconds += seconds
        maxSeconds = max(maxSeconds, seconds)
        if let file = Self.status(snapshot), file.identity != snapshotFile {
            bytes += file.size
            snapshotFile = file.identity
        }
        let journalNow = Self.status(journal)?.size ?? 0
        bytes += journalNow >= journalBytes ? journalNow - journalBytes : journalNow
        journalBytes = journalNow
    }

    /// The file's size, and its inode and modification time; nil when it is not there.
    private static func status(_ path: String) -> (size: Int, identity: [Int])? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (Int(info.st_size), [Int(info.st_ino), info.st_mtim.tv_sec, info.st_mtim.tv_nsec])
    }
}
