import ArgumentParser
import Engine
import Checkpoints
#if canImport(Glibc)
import Glibc
#endif

/// The `replay` process: parses the command line, runs the command and turns every failure into
/// one line on stderr and a non-zero exit status. The executables' entry points call it.
public enum ReplayProcess {
    /// `commitStepHook`: called by a run at each step of its commit protocol (the fault-injection
    /// build kills itself at a chosen one); `dayParts`: how runs cut their days (the fault-injection
    /// build makes them small). The shipped binary passes neither.
    public static func main(commitStepHook: (@Sendable (CommitStep) -> Void)? = nil, dayParts: DayPartLimits? = nil) -> Never {
        ProcessSetup.prepare()
        Generate.commitStepHook.withLock { $0 = commitStepHook }
        if let dayParts { Generate.dayParts.withLock { $0 = dayParts } }
        if LogFormat.requested(in: Array(CommandLine.arguments.dropFirst())) == .json { CrashReport.installJSON() }
        do {
            var command = try Replay.parseAsRoot()
            try command.run()
            exit(0)
        } catch let status as ExitStatus {
            exit(status.code)
        } catch let error as UserError {
            fail(error.description, status: error.exitStatus)
        } catch let error as ReportableError {
            fail(error.description, status: 1)
        } catch {
            let code = Replay.exitCode(for: error)
            if code == .success, RootHelp.isRootHelp(Replay.message(for: error)) {
                StandardOutput.write(RootHelp.text + "\n")
                exit(0)
            }
            guard code != .success else { Replay.exit(withError: error) }
            fail(Replay.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments",
                 status: code.rawValue)
        }
    }

    /// One line on stderr: `replay: error: …`, or with `--log-format json` a JSON line at level error.
    private static func fail(_ message: String, status: Int32) -> Never {
        let line = message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message
        switch LogFormat.requested(in: Array(CommandLine.arguments.dropFirst())) {
        case .text: StandardError.write("replay: error: \(line)\n")
        case .json: StandardError.write(LogFormat.json.line(level: .error, message: line, metadata: [:], label: "replay"))
        }
        exit(status)
    }
}

/// The root command: `generate` (the default) and the helpers next to it.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Simulates a payments aggregator and publishes its merchants and transactions to Kafka and batch files.",
        subcommands: [Generate.self, Broker.self, Schema.self, Compact.self],
        defaultSubcommand: Generate.self
    )
}
