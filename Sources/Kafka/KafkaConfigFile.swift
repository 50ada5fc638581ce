import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file of librdkafka properties, as `kcat -F` and the Kafka tools' `--producer.config` read
/// them: `key=value` lines, whitespace around key and value trimmed, `#` comment lines and blank
/// lines ignored. Messages about it name the file and the line, never a line's text (it may hold
/// a secret).
public struct KafkaConfigFile: Sendable {
    /// One `key=value` line.
    public struct Entry: Sendable {
        public let name: String
        public let value: String
        /// 1-based.
        public let line: Int
    }

    public let path: String
    public let entries: [Entry]

    /// Reads and parses the file at `path`.
    public init(path: String) throws {
        try self.init(path: path, text: Self.read(path))
    }

    /// Parses `text` as the contents of the file at `path`.
    init(path: String, text: String) throws {
        self.path = path
        var entries: [Entry] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if content.isEmpty || content.hasPrefix("#") { continue }
            guard let equals = content.firstIndex(of: "=") else {
                throw KafkaError("--kafka-config \(path) line \(index + 1) is not of the form key=value")
            }
            let name = content[..<equals].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { throw KafkaError("--kafka-config \(path) line \(index + 1) has no key before '='") }
            let value = content[content.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            entries.append(Entry(name: name, value: value, line: index + 1))
        }
        self.entries = entries
    }

    /// The file less the entries `isForeign` picks (e.g. the Schema Registry's properties, which
    /// librdkafka would refuse), and those entries.
    public func separating(_ isForeign: (String) -> Bool) -> (rest: KafkaConfigFile, picked: [Entry]) {
        (KafkaConfigFile(path: path, entries: entries.filter { !isForeign($0.name) }), entries.filter { isForeign($0.name) })
    }

    private init(path: String, entries: [Entry]) {
        self.path = path
        self.entries = entries
    }

    /// The file's text; a missing or unreadable file is an error naming it and the reason.
    private static func read(_ path: String) throws -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw unreadable(path) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw unreadable(path)
            }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func unreadable(_ path: String) -> KafkaError {
        KafkaError("--kafka-config \(path): cannot read it: \(String(cString: strerror(errno)))")
    }
}
