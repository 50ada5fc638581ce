import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Writes log lines for a person at a terminal: `message` for info, `level: message` otherwise,
/// all on stderr so that stdout stays free for data.
struct ConsoleLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(level: Logger.Level) {
        logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let prefix = event.level == .info ? "" : "\(event.level): "
        StandardError.write(prefix + event.message.description + "\n")
    }

    /// A logger for the whole run: debug lines only with `--debug`, nothing but warnings with `--quiet`.
    static func logger(debug: Bool, quiet: Bool) -> Logger {
        let level: Logger.Level = debug ? .debug : (quiet ? .warning : .info)
        return Logger(label: "replay") { _ in ConsoleLogHandler(level: level) }
    }
}
