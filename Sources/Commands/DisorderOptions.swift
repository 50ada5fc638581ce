import ArgumentParser
import Simulation

/// `--late-fraction`, `--max-lateness`, `--duplicate-fraction`, `--disorder-log`: deterministic
/// late and duplicate delivery for testing streaming pipelines (see `DeliveryPlan`).
struct DisorderOptions: ParsableArguments {
    @Option(name: .customLong("late-fraction"), parsing: .unconditional, help: "Share of transactions delivered late to Kafka (0 to 1; default 0).")
    var lateFraction: Double = 0

    @Option(name: .customLong("max-lateness"), parsing: .unconditional,
            help: ArgumentHelp("Longest delay of a late delivery, log-uniform from 1s up to it (e.g. 90s, 15m, 2h, 1d; default 1h).",
                               valueName: "duration"),
            transform: ArgumentFormat.duration)
    var maxLateness: Int64?

    @Option(name: .customLong("duplicate-fraction"), parsing: .unconditional,
            help: "Share of transactions delivered a second time, 1-30s after the first, as an upstream retry would (0 to 1; default 0).")
    var duplicateFraction: Double = 0

    @Flag(name: .customLong("disorder-log"),
          help: "Write disorder_<start>_<end>.csv: each late and duplicate delivery (payment, event time, delivery time, kind).")
    var writesLog = false

    /// The settings; nil when every transaction is delivered once, in order.
    var settings: DisorderSettings? { given.isOff ? nil : given }

    /// The settings as given, checked or not.
    private var given: DisorderSettings {
        DisorderSettings(lateFraction: lateFraction, maxLatenessSeconds: maxLateness ?? 3_600, duplicateFraction: duplicateFraction)
    }

    func check() throws {
        if let problem = given.problem { throw ValidationError(problem) }
        if maxLateness != nil && lateFraction == 0 { throw ValidationError("--max-lateness goes with --late-fraction") }
        if writesLog && settings == nil {
            throw ValidationError("--disorder-log needs --late-fraction or --duplicate-fraction above 0")
        }
    }
}
