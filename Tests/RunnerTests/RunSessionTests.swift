import Checkpoints
import Engine
import Foundation
import Records
import Runner
import Simulation
import Synchronization
import Testing

/// The library API in process: a typed request in, a run with its files, `merchants.json` and
/// Kafka records out, and a summary that says what happened.
@Suite struct RunSessionTests {
    static let twoDays = RunRequest(mode: .initial(Period(start: Day(iso: "2024-01-01")!, end: Day(iso: "2024-01-02")!)),
                                    seed: nil, scale: nil, timeZone: nil, pace: nil, force: false, kafka: nil)

    static func filesOnly(_ folder: ScratchFolder, run: RunRequest = twoDays) -> SessionRequest {
        SessionRequest(run: run, outputDir: folder.path, kafka: KafkaSettings(brokers: .filesOnly))
    }

    @Test func aFilesOnlyRunWritesThePeriodAndSaysWhatItDid() throws {
        let folder = try ScratchFolder()
        let log = LogLines()
        let summary = try RunSession(Self.filesOnly(folder), logger: log.logger).run()
        #expect(summary.outcome == .completed && summary.isHistory)
        #expect(summary.days == 2 && summary.firstDay == Day(iso: "2024-01-01") && summary.lastDay == Day(iso: "2024-01-02"))
        let rows = try EventStreams.standard.map { try folder.lines("\($0.name)_2024-01-01_2024-01-02.csv").count - 1 }
        #expect(summary.emitted == rows && rows.allSatisfy { $0 > 0 }, "\(summary.emitted) \(rows)")
        #expect(summary.writtenTransactions == rows[EventStreams.deliveredIndex])
        #expect(try StateSnapshot(folder: folder.path).load().state.lastGeneratedDate == Day(iso: "2024-01-02"))
        #expect(log.all.contains { $0.hasPrefix("info: \(summary.line)") }, "\(log.all)")
        #expect(summary.line.hasPrefix("generated 2024-01-01..2024-01-02: 2 days complete, "))
    }

    @Test func theSameRequestAgainFindsItsRunComplete() throws {
        let folder = try ScratchFolder()
        _ = try RunSession(Self.filesOnly(folder), logger: LogLines().logger).run()
        let state = try folder.read(StateSnapshot.fileName)
        let again = try RunSession(Self.filesOnly(folder), logger: LogLines().logger).run()
        #expect(again.outcome == .alreadyComplete && again.days == 0)
        #expect(try folder.read(StateSnapshot.fileName) == state)
    }

    /// Crash-only in process: a session asked to stop after its first slice ends at a slice
    /// boundary; the same request then completes with the bytes of a run never stopped.
    @Test func aStoppedSessionContinuesToTheSameBytes() throws {
        let whole = try ScratchFolder(), stopped = try ScratchFolder()
        _ = try RunSession(Self.filesOnly(whole), logger: LogLines().logger).run()
        let slices = SliceCount()
        let first = try RunSession(Self.filesOnly(stopped), logger: LogLines().logger, observers: [slices],
                                   shouldStop: { slices.count > 0 }).run()
        #expect(first.outcome == .stopped && first.days == 0 && first.emitted.reduce(0, +) > 0)
        let second = try RunSession(Self.filesOnly(stopped), logger: LogLines().logger).run()
        #expect(second.outcome == .completed)
        for name in whole.names where !name.hasPrefix(".") {
            #expect(try stopped.read(name) == whole.read(name), "\(name)")
        }
    }

    @Test func observersHearTheScheduleAndTheEnd() throws {
        let folder = try ScratchFolder()
        let slices = SliceCount()
        let summary = try RunSession(Self.filesOnly(folder), logger: LogLines().logger, observers: [slices]).run()
        #expect(slices.scheduledDays == 2 && slices.heardTheEnd && slices.lagKnown)
        #expect(slices.count > 0 && slices.events == summary.emitted.reduce(0, +))
    }

    @Test func anIncrementalRunAsksFirstAndARefusalWritesNothing() throws {
        let folder = try ScratchFolder()
        _ = try RunSession(Self.filesOnly(folder), logger: LogLines().logger).run()
        let state = try folder.read(StateSnapshot.fileName)
        let next = RunRequest(mode: .incremental(Day(iso: "2024-01-03")), seed: nil, scale: nil, timeZone: nil, pace: nil, force: false, kafka: nil)
        let asked = Mutex<[String]>([])
        #expect(throws: UserError.self) {
            try RunSession(Self.filesOnly(folder, run: next), logger: LogLines().logger,
                           confirm: { question in asked.withLock { $0.append(question) }; throw UserError("no") }).run()
        }
        #expect(asked.withLock { $0.count } == 1)
        #expect(try folder.read(StateSnapshot.fileName) == state)
        #expect(!folder.names.contains { $0.contains("2024-01-03") })
        let confirmed = try RunSession(Self.filesOnly(folder, run: next), logger: LogLines().logger, confirm: { _ in }).run()
        #expect(confirmed.outcome == .completed && confirmed.firstDay == Day(iso: "2024-01-03"))
    }

    @Test func aShardedRequestThatCannotWorkIsRefusedBeforeAnythingIsWritten() throws {
        let folder = try ScratchFolder()
        let request = SessionRequest(run: Self.twoDays, outputDir: folder.path, shard: Shard(index: 0, count: 2)!, kafka: KafkaSettings(brokers: .embedded))
        #expect(request.problem?.hasPrefix("--shard needs a cluster that every shard reaches") == true)
        #expect(throws: UserError.self) { try RunSession(request, logger: LogLines().logger).run() }
        #expect(folder.names.isEmpty)
    }

    /// The embedded broker: the session registers nothing (JSON values), reads the new topics
    /// back, publishes every event and reports each topic's acknowledged records.
    @Test func anEmbeddedBrokerRunPublishesEveryEvent() throws {
        let folder = try ScratchFolder()
        let log = LogLines()
        let request = SessionRequest(run: Self.twoDays, outputDir: folder.path, kafka: KafkaSettings(brokers: .embedded))
        #expect(request.plannedRun.kafka?.brokers == "embedded" && request.plannedRun.kafka?.topics == EventStreams.defaultTopics)
        let summary = try RunSession(request, logger: log.logger).run()
        #expect(summary.outcome == .completed)
        for (topic, count) in zip(EventStreams.defaultTopics, summary.emitted) {
            let line = log.all.first { $0.hasPrefix("info: \(topic): ") }
            #expect(line?.contains("acknowledged \(count),") == true, "\(log.all)")
        }
        #expect(log.all.contains { $0.hasPrefix("info: embedded Kafka broker at 127.0.0.1:") }, "\(log.all)")
    }

    @Test func brokerChoicesReadAsTheCommandLineWritesThem() {
        #expect(BrokerChoice(argument: "embedded") == .embedded)
        #expect(BrokerChoice(argument: "none") == .filesOnly)
        #expect(BrokerChoice(argument: "k1:9092,k2:9092") == .servers("k1:9092,k2:9092"))
        #expect(BrokerChoice(argument: " ") == nil)
        #expect([BrokerChoice.embedded, .filesOnly, .servers("k:1")].map(\.description) == ["embedded", "none", "k:1"])
        #expect(KafkaSettings(brokers: .filesOnly).target == nil)
        #expect(KafkaSettings(brokers: .servers("k:1"), valueFormat: .avro(registryURL: nil)).target?.valueFormat == "avro")
    }
}

/// Counts the slices and events a run hands out, and the schedule it announces.
final class SliceCount: RunObserver, @unchecked Sendable {
    private let slices = Atomic(0)
    private(set) var events = 0
    private(set) var scheduledDays: Int?
    private(set) var heardTheEnd = false
    private(set) var lagKnown = false

    var count: Int { slices.load(ordering: .relaxed) }

    func scheduled(days: Int?) { scheduledDays = days }
    func paced(lag: @escaping (Double) -> Double) { lagKnown = true }
    func emitted(_ slice: EventSlice, simulatedSecond: Int64) {
        events += slice.ranges.reduce(0) { $0 + $1.count }
        slices.add(1, ordering: .relaxed)
    }
    func ended() { heardTheEnd = true }
}
