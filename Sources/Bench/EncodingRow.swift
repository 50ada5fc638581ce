import Engine
import Records
import Foundation
import Simulation

extension BenchRow {
    /// Encodes the Kafka values of `days` simulated days (simulated before the clock starts) as
    /// JSON or as Avro in the Confluent wire format: the only step where the two value formats differ.
    func encodeValues(_ format: ValueFormat) -> BenchResult {
        var simulator = Simulator(state: SimulationState(seed: RunRequest.defaultSeed))
        let days = (0..<days).map { simulator.simulate(Self.firstDay.adding(days: $0)) }
        let value = EncodingBuffer(capacity: 4_096)
        let counter = ValueBytes()
        let key = EncodingBuffer(capacity: 64)
        let started = Date()
        for events in days {
            for (index, stream) in EventStreams.standard.enumerated() {
                try! stream.writeRecords(0..<stream.count(in: events), of: events, as: format.encoding(ofStream: index), key: key, value: value,
                                         to: counter)
            }
        }
        let seconds = Date().timeIntervalSince(started)
        precondition(counter.bytes > 0)
        return BenchResult(count: days.reduce(0) { $0 + $1.count }, seconds: seconds)
    }
}

/// Takes every record and counts its value's bytes.
private final class ValueBytes: RecordWriter {
    private(set) var bytes = 0

    func admits(index: Int, key: UnsafeRawBufferPointer) -> Bool { true }

    func write(index: Int, eventTime: Int64, eventType: StaticString, value: UnsafeRawBufferPointer) throws { bytes &+= value.count }
}
