import Foundation

/// Reads a topic from the beginning to its end with `kcat`, a real Kafka consumer.
enum Kcat {
    struct Record {
        let partition: Int
        let offset: Int
        let key: String
        let timestamp: Int64
        let headers: String
        let value: [String: Any]
        /// The value's bytes as text, as the broker holds them.
        let rawValue: String
    }

    static func consume(_ topic: String, from brokers: String) throws -> [Record] {
        let path = ["/usr/bin/kcat", "/usr/local/bin/kcat"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { throw KcatMissing() }
        let result = try ChildProcess(path, ["-C", "-b", brokers, "-t", topic, "-o", "beginning", "-e", "-q",
                                             "-f", "%p\t%o\t%k\t%T\t%h\t%s\n"]).finish()
        guard result.status == 0 else { throw KcatFailed(message: result.stderr) }
        return try result.stdout.split(separator: "\n").map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            let value = try JSONSerialization.jsonObject(with: Data(fields[5].utf8)) as! [String: Any]
            return Record(partition: Int(fields[0])!, offset: Int(fields[1])!, key: String(fields[2]),
                          timestamp: Int64(fields[3])!, headers: String(fields[4]), value: value, rawValue: String(fields[5]))
        }
    }

    struct KcatMissing: Error, CustomStringConvertible {
        var description: String { "kcat is not installed: ./replay test installs it (apt-get install kcat)" }
    }

    struct KcatFailed: Error { let message: String }
}

/// A CSV file read back as rows of named fields (the files this project writes quote nothing
/// in transactions and only merchant text fields that need it).
struct CSVTable {
    let columns: [String]
    let rows: [[String: String]]

    init(_ lines: [Substring]) {
        let names = lines[0].split(separator: ",").map(String.init)
        columns = names
        rows = lines.dropFirst().map { line in
            Dictionary(uniqueKeysWithValues: zip(names, CSVTable.fields(of: line)))
        }
    }

    static func fields(of line: Substring) -> [String] {
        var fields: [String] = [], current = "", quoted = false
        var characters = line.makeIterator()
        while let character = characters.next() {
            switch (character, quoted) {
            case ("\"", false): quoted = true
            case ("\"", true): quoted = false
            case (",", false): fields.append(current); current = ""
            default: current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}

/// Milliseconds since the epoch of a `YYYY-MM-DDTHH:MM:SS` read as UTC.
func utcMilliseconds(_ timestamp: String) -> Int64 {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
    return Int64(formatter.date(from: timestamp)!.timeIntervalSince1970 * 1000)
}
