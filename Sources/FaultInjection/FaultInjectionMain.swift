import Commands
import Engine
#if canImport(Glibc)
import Glibc
#endif

/// `replay-fault-injection`: the `replay` command line with `REPLAY_KILL_AT` (see `KillSwitch`), for
/// the tests that kill a run at a chosen step of its commit protocol. Built beside `replay`, never
/// shipped: the product binary has no fault injection.
@main
enum FaultInjectionMain {
    static func main() {
        do {
            guard let killSwitch = try KillSwitch.fromEnvironment() else { ReplayProcess.main() }
            ReplayProcess.main(commitStepHook: { step in killSwitch.reach(step) })
        } catch {
            let line = "replay: error: \(error)\n"
            _ = line.withCString { write(2, $0, strlen($0)) }
            exit(1)
        }
    }
}
