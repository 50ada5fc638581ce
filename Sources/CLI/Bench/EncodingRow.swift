import Engine
import Events
import Foundation
import Simulation

extension BenchRow {
    /// Encodes the Kafka values of `days` simulated days (simulated before the clock starts) as
    /// JSON or as Avro in the Confluent wire format: the only step where the two value formats differ.
    func encodeValues(_ format: ValueFormat) -> BenchResult {
        var simulator = Simulator(state: SimulationState(seed: RunRequest.defaultSeed))
        let days = (0..<days).map { simulator.simulate(Self.firstDay.adding(days: $0)) }
        let value = ByteBuffer(capacity: 4_096)
        var bytes = 0
        let started = Date()
        for events in days {
            for event in events.merchantEvents {
                KafkaRecord.encodeValue(of: event, into: value, as: format)
                bytes &+= value.count
            }
            for transaction in events.transactions {
                KafkaRecord.encodeValue(of: transaction, into: value, as: format)
                bytes &+= value.count
            }
        }
        let seconds = Date().timeIntervalSince(started)
        precondition(bytes > 0)
        return BenchResult(count: days.reduce(0) { $0 + $1.count }, seconds: seconds)
    }
}
