import Commands
import Engine
#if canImport(Glibc)
import Glibc
#endif

/// `replay-fault-injection`: the `replay` command line with `REPLAY_KILL_AT` (see `KillSwitch`), for
/// the tests that kill a run at a chosen step of its commit protocol, and `REPLAY_DAY_PARTS` (see
/// `SmallDayParts`), for the tests of days cut in many parts at a scale a test can run. Built beside
/// `replay`, never shipped: the product binary has no fault injection.
@main
enum FaultInjectionMain {
    static func main() {
        do {
            var hook: (@Sendable (CommitStep) -> Void)?
            if let killSwitch = try KillSwitch.fromEnvironment() { hook = { step in killSwitch.reach(step) } }
            ReplayProcess.main(commitStepHook: hook, dayParts: try SmallDayParts.fromEnvironment())
        } catch {
            let line = "replay: error: \(error)\n"
            _ = line.withCString { write(2, $0, strlen($0)) }
            exit(1)
        }
    }
}
