import Engine
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Fault injection for the crash tests: `REPLAY_KILL_AT=<step>:<n>` (a `CommitStep` such as
/// `sinks-durable`, and a count) sends this process SIGKILL the n-th time the run reaches that
/// step, so that a test can kill it at moments an outside signal cannot hit reliably (between
/// Kafka's acknowledgement and the snapshot, or while a period ends). Unset, it does nothing.
struct KillSwitch {
    private let step: CommitStep
    private let count: Int
    private var reached = 0

    /// nil when the variable is unset; a one-line error when it is malformed.
    static func fromEnvironment() throws -> KillSwitch? {
        guard let text = ProcessInfo.processInfo.environment["REPLAY_KILL_AT"], !text.isEmpty else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let step = CommitStep(rawValue: String(parts[0])), let count = Int(parts[1]), count > 0 else {
            let steps = CommitStep.allCases.map(\.rawValue).joined(separator: ", ")
            throw UserError("REPLAY_KILL_AT '\(text)' is not <step>:<n> with a step among \(steps)")
        }
        return KillSwitch(step: step, count: count)
    }

    mutating func reach(_ step: CommitStep) {
        guard step == self.step else { return }
        reached += 1
        if reached == count { kill(getpid(), SIGKILL) }
    }
}
