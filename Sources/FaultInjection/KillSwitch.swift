import Engine
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Fault injection for the crash tests: `REPLAY_KILL_AT=<step>:<n>` (a `CommitStep` such as
/// `sinks-durable`, and a count) sends this process SIGKILL the n-th time the run reaches that
/// step, so that a test can kill it at moments an outside signal cannot hit reliably (between
/// Kafka's acknowledgement and the snapshot, or while a period ends).
final class KillSwitch: Sendable {
    private let step: CommitStep
    private let count: Int
    private let reached = Atomic(0)

    private init(step: CommitStep, count: Int) {
        self.step = step
        self.count = count
    }

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

    func reach(_ step: CommitStep) {
        guard step == self.step else { return }
        if reached.add(1, ordering: .relaxed).newValue == count { kill(getpid(), SIGKILL) }
    }
}
