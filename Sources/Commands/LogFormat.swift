import ArgumentParser
import Logging

/// How log lines look on stderr: `text` for a person (`message` for info, `level: message`
/// otherwise, metadata after it in brackets), `json` for a log collector (one `JSONLogLine` object
/// per line).
enum LogFormat: String, CaseIterable, ExpressibleByArgument {
    case text, json

    /// One line, newline included.
    func line(level: Logger.Level, message: String, metadata: Logger.Metadata, label: String) -> String {
        switch self {
        case .text:
            let prefix = level == .info ? "" : "\(level): "
            let suffix = metadata.isEmpty ? "" : " [" + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + "]"
            return prefix + message + suffix + "\n"
        case .json:
            return JSONLogLine(level: level, message: message, metadata: metadata, label: label).text + "\n"
        }
    }

    /// The format that `arguments` ask for with `--log-format`, read before the parser runs so that
    /// even a refused command line is reported in it; `text` when absent or not a format.
    static func requested(in arguments: [String]) -> LogFormat {
        for (index, argument) in arguments.enumerated() {
            if argument == "--" { break }
            if argument == "--log-format", index + 1 < arguments.count { return LogFormat(rawValue: arguments[index + 1]) ?? .text }
            if argument.hasPrefix("--log-format=") { return LogFormat(rawValue: String(argument.dropFirst("--log-format=".count))) ?? .text }
        }
        return .text
    }
}
