/// What N shards on N machines would give, roughly, from two measured figures: every shard
/// simulates every event (`simulation`: seconds per event for the simulation alone) and publishes
/// 1/N of them (the rest of one unsharded process's time per event). A model, not a measurement:
/// it assumes a cluster that takes the load and shards that do not share cores; it counts the
/// simulation as if it did not overlap the publishing (in one process it runs on the second core)
/// and leaves out the key hash each shard computes for every event to decide ownership.
struct ShardModel {
    /// Seconds per event of the simulation alone, and of everything else one process does.
    let simulationCost: Double
    let emitCost: Double

    init(simulation: BenchResult, oneShard: BenchResult) {
        simulationCost = 1 / simulation.rate
        emitCost = max(0, 1 / oneShard.rate - simulationCost)
    }

    /// Events per second of `shards` shards, each on its own machine.
    func rate(shards: Int) -> Double { 1 / (simulationCost + emitCost / Double(shards)) }

    var summary: String {
        let micro = { (seconds: Double) in (seconds * 1e6).twoDecimals }
        let rates = [2, 4, 8, 16].map { "\($0) → \(BenchTable.group(Int(rate(shards: $0))))" }.joined(separator: ", ")
        return "rough model for N machines (simulate \(micro(simulationCost)) µs + emit \(micro(emitCost)) µs / N per event): "
            + rates + " events/s; ceiling \(BenchTable.group(Int(1 / simulationCost)))"
    }
}
