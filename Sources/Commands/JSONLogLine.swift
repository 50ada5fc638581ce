import Records
import Logging
#if canImport(Glibc)
import Glibc
#endif
import Simulation

/// A log line as one JSON object: `time` (RFC 3339, UTC, milliseconds), `level`, `message`,
/// `metadata` (an object of strings) and `label` (the logger's).
struct JSONLogLine {
    let level: Logger.Level
    let message: String
    let metadata: Logger.Metadata
    let label: String

    var text: String {
        let fields = metadata.sorted { $0.key < $1.key }.map { SchemaJSON.quoted($0.key) + ":" + SchemaJSON.quoted("\($0.value)") }
        return "{\"time\":\(SchemaJSON.quoted(Self.now())),\"level\":\(SchemaJSON.quoted(level.rawValue)),\"message\":\(SchemaJSON.quoted(message)),"
            + "\"metadata\":{\(fields.joined(separator: ","))},\"label\":\(SchemaJSON.quoted(label))}"
    }

    /// The current time as `2024-01-02T03:04:05.678Z`.
    static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { String(zeroPadded: Int(value), width: 2) }
        return String(zeroPadded: Int(parts.tm_year) + 1900, width: 4) + "-" + two(parts.tm_mon + 1) + "-" + two(parts.tm_mday)
            + "T" + two(parts.tm_hour) + ":" + two(parts.tm_min) + ":" + two(parts.tm_sec)
            + "." + String(zeroPadded: spec.tv_nsec / 1_000_000, width: 3) + "Z"
    }
}
