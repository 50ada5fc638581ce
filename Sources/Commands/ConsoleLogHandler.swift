import Logging

/// Writes log lines on stderr, so that stdout stays free for data, in the `LogFormat` asked for,
/// with their metadata (the handler's, the provider's and the line's own).
struct ConsoleLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    let format: LogFormat
    let label: String

    init(level: Logger.Level, format: LogFormat, label: String) {
        logLevel = level
        self.format = format
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(metadataProvider?.get() ?? [:]) { $1 }.merging(event.metadata ?? [:]) { $1 }
        StandardError.write(format.line(level: event.level, message: event.message.description, metadata: merged, label: label))
    }

    /// A logger for the whole run: debug lines only with `--debug`, nothing but warnings with `--quiet`.
    static func logger(debug: Bool, quiet: Bool, format: LogFormat) -> Logger {
        let level: Logger.Level = debug ? .debug : (quiet ? .warning : .info)
        return Logger(label: "replay") { label in ConsoleLogHandler(level: level, format: format, label: label) }
    }
}
