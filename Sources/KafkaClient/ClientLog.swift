import Foundation
import Logging
import Synchronization

/// librdkafka's own voice, through swift-log: its log lines at their syslog level (0-2 critical,
/// 3 error, 4 warning, 5 notice, 6 info, 7 debug) and its error events (error, or critical when
/// fatal), with the facility, the client's name and an error's code as metadata, and the value of
/// every secret property hidden.
///
/// The producer's poll thread calls it (log lines are queued for that thread), and the producing
/// thread when the first connection is settled: a line below the logger's level costs one
/// comparison, and the rest a short lock. While the producer first connects, lines are held back,
/// because a cluster that does not answer fails the run with one line that quotes librdkafka's
/// last error: `connected()` logs what was held, `failedToConnect()` logs it at debug level
/// (shown with `--debug`).
final class ClientLog: Sendable {
    private struct Line {
        let level: Logger.Level
        let message: String
        let metadata: Logger.Metadata
    }

    private let logger: Logger
    private let configuration: ProducerConfiguration
    private struct State {
        /// Lines held back until the first connection is settled; nil after.
        var held: [Line]? = []
        /// The newest log lines' texts, so that an error event that repeats one is not logged twice.
        var recent: [String] = []
    }

    private let state = Mutex(State())

    init(logger: Logger, configuration: ProducerConfiguration) {
        self.logger = logger
        self.configuration = configuration
    }

    /// The swift-log level of a syslog level.
    static func level(ofSyslog level: Int32) -> Logger.Level {
        switch level {
        case ...2: .critical
        case 3: .error
        case 4: .warning
        case 5: .notice
        case 6: .info
        default: .debug
        }
    }

    /// True when a line at `level` would be logged.
    func accepts(_ level: Logger.Level) -> Bool { level >= logger.logLevel }

    /// A line of librdkafka's log; the `[thrd:NAME]: ` that librdkafka puts first becomes metadata.
    func line(_ text: String, level: Logger.Level, facility: String, client: String) {
        var message = Substring(text)
        var metadata: Logger.Metadata = ["facility": "\(facility)", "client": "\(client)"]
        if message.hasPrefix("[thrd:"), let end = message.range(of: "]: ") {
            metadata["thread"] = "\(message[message.index(message.startIndex, offsetBy: 6)..<end.lowerBound])"
            message = message[end.upperBound...]
        }
        state.withLock {
            $0.recent.append(String(message))
            if $0.recent.count > 8 { $0.recent.removeFirst() }
        }
        emit(Line(level: level, message: String(message), metadata: metadata))
    }

    /// An error event; not logged again when a log line just said the same.
    func error(_ reason: String, code: String, fatal: Bool, client: String) {
        guard !state.withLock({ $0.recent.contains(reason) }) else { return }
        emit(Line(level: fatal ? .critical : .error, message: reason,
                  metadata: ["facility": "ERROR", "client": "\(client)", "code": "\(code)"]))
    }

    /// The first connection succeeded: logs the lines held until now.
    func connected() {
        for line in releaseHeld() { write(line) }
    }

    /// The first connection failed, which the run reports itself: logs the held lines at debug level.
    func failedToConnect() {
        for line in releaseHeld() { write(Line(level: .debug, message: line.message, metadata: line.metadata)) }
    }

    private func releaseHeld() -> [Line] {
        state.withLock { state in
            defer { state.held = nil }
            return state.held ?? []
        }
    }

    private func emit(_ line: Line) {
        let holding = state.withLock {
            $0.held?.append(line)
            return $0.held != nil
        }
        if !holding { write(line) }
    }

    private func write(_ line: Line) {
        logger.log(level: line.level, "\(configuration.hidingSecrets(in: line.message))", metadata: line.metadata)
    }
}
