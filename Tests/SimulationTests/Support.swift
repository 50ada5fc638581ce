import Simulation

/// Simulates `days` days from `start` in-process and returns every day's events and the final state.
func simulate(seed: UInt64 = 7, from start: String, days: Int, scale: Double = 1) -> (days: [DayEvents], state: SimulationState) {
    var simulator = Simulator(state: SimulationState(seed: seed, scale: scale))
    let first = Day(iso: start)!
    let output = (0..<days).map { simulator.simulate(first.adding(days: $0)) }
    return (output, simulator.state)
}

/// The default run of the spec, shared by the tests that only read it.
let january2024 = simulate(from: "2024-01-01", days: 15)
