import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file of librdkafka properties in the Java `.properties` syntax that the Kafka tools'
/// `--producer.config` reads (`java.util.Properties.load`): lines end in `\n`, `\r\n` or `\r`;
/// `#` and `!` start a comment line; a key ends at the first unescaped `=`, `:` or blank, and one
/// `=` or `:` may follow; a line ending in an odd number of backslashes goes on in the next one;
/// `\t`, `\n`, `\r`, `\f`, `\uXXXX` (a surrogate pair for what lies beyond) and `\X` (any other X)
/// are escapes. Unlike Java, the file is UTF-8 (a byte-order mark is dropped), unescaped blanks at
/// the end of a value are dropped, and a control character in a key or value is refused. Only a regular file of at most 1 MiB is read.
///
/// Messages about it name the file and the line, never a line's text (it may hold a secret).
public struct KafkaConfigFile: Sendable {
    /// One `key=value` property.
    public struct Entry: Sendable {
        public let name: String
        public let value: String
        /// 1-based: the line the property starts on.
        public let line: Int
    }

    /// The largest file read.
    public static let sizeLimit = 1 << 20

    public let path: String
    public let entries: [Entry]

    /// Reads and parses the file at `path`.
    public init(path: String) throws {
        try self.init(path: path, bytes: Self.read(path))
    }

    /// Parses `bytes` as the contents of the file at `path`.
    init(path: String, bytes: [UInt8]) throws {
        self.path = path
        var text = bytes[...]
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text = text.dropFirst(3) }
        guard let decoded = String(validating: text, as: UTF8.self) else { throw KafkaError("--kafka-config \(path) is not UTF-8 text") }
        var entries: [Entry] = []
        for logical in PropertiesLines(decoded) {
            func problem(_ text: String) -> KafkaError { KafkaError("--kafka-config \(path) line \(logical.number) \(text)") }
            let (name, value) = try PropertiesLines.split(logical.text, problem: problem)
            guard !name.isEmpty else { throw problem("has no key before its value") }
            if (name + value).unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                throw problem("holds a control character (keys and values are printable text)")
            }
            entries.append(Entry(name: name, value: value, line: logical.number))
        }
        self.entries = entries
    }

    /// What a reader may not expect of the file, one line each (never a value): a `#` after a
    /// value's first character is part of the value, as the Kafka tools read it.
    public var warnings: [String] {
        entries.filter { $0.value.contains(" #") || $0.value.contains("\t#") }.map {
            "--kafka-config \(path) line \($0.line): the value of \($0.name) holds ' #', which starts a comment only at the start of a "
                + "line: it is part of the value"
        }
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

    /// The file's bytes: a regular file of at most `sizeLimit` bytes, opened without waiting (a FIFO
    /// or device is refused before anything is read).
    private static func read(_ path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw unreadable(path) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw unreadable(path) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw KafkaError("--kafka-config \(path) is not a regular file") }
        guard status.st_size <= sizeLimit else { throw KafkaError("--kafka-config \(path) is larger than \(sizeLimit / 1_048_576) MiB") }
        var bytes = [UInt8](repeating: 0, count: sizeLimit + 1)
        var count = 0
        while count < bytes.count {
            let read = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + count, $0.count - count) }
            if read == 0 { break }
            if read < 0 {
                if errno == EINTR { continue }
                throw unreadable(path)
            }
            count += read
        }
        guard count <= sizeLimit else { throw KafkaError("--kafka-config \(path) is larger than \(sizeLimit / 1_048_576) MiB") }
        return Array(bytes[..<count])
    }

    private static func unreadable(_ path: String) -> KafkaError {
        KafkaError("--kafka-config \(path): cannot read it: \(String(cString: strerror(errno)))")
    }
}

/// The logical lines of a `.properties` text: comments and blank lines left out, continuations
/// joined, each with the number of the line it starts on.
struct PropertiesLines: Sequence {
    private let lines: [Substring]

    init(_ text: String) {
        // "\r\n" is one Character in Swift: split on scalars so that every ending counts.
        var lines: [Substring] = []
        var start = text.unicodeScalars.startIndex
        var index = start
        let scalars = text.unicodeScalars
        while index < scalars.endIndex {
            let scalar = scalars[index]
            if scalar == "\n" || scalar == "\r" {
                lines.append(Substring(scalars[start..<index]))
                let next = scalars.index(after: index)
                index = scalar == "\r" && next < scalars.endIndex && scalars[next] == "\n" ? scalars.index(after: next) : next
                start = index
            } else {
                index = scalars.index(after: index)
            }
        }
        if start < scalars.endIndex { lines.append(Substring(scalars[start...])) }
        self.lines = lines
    }

    func makeIterator() -> AnyIterator<(number: Int, text: String)> {
        var position = 0
        return AnyIterator {
            while position < lines.count {
                let number = position + 1
                var line = Self.droppingLeadingBlanks(lines[position])
                position += 1
                if line.isEmpty || line.first == "#" || line.first == "!" { continue }
                var text = ""
                while Self.endsInOddBackslashes(line) && position < lines.count {
                    text += line.dropLast()
                    line = Self.droppingLeadingBlanks(lines[position])
                    position += 1
                }
                text += Self.endsInOddBackslashes(line) ? line.dropLast() : line
                return (number, text)
            }
            return nil
        }
    }

    static func isBlank(_ character: Character) -> Bool { character == " " || character == "\t" || character == "\u{0C}" }

    private static func droppingLeadingBlanks(_ line: Substring) -> Substring { line.drop(while: isBlank) }

    private static func endsInOddBackslashes(_ line: Substring) -> Bool {
        line.reversed().prefix { $0 == "\\" }.count % 2 == 1
    }

    /// A logical line's key and value, unescaped; the value without the unescaped blanks at its end.
    static func split(_ line: String, problem: (String) -> Error) throws -> (String, String) {
        var characters = Array(line)[...]
        var key = ""
        while let character = characters.first, character != "=", character != ":", !isBlank(character) {
            characters = characters.dropFirst()
            key.append(character == "\\" ? try unescape(&characters, problem: problem) : character)
        }
        characters = characters.drop(while: isBlank)
        if characters.first == "=" || characters.first == ":" { characters = characters.dropFirst().drop(while: isBlank) }
        var value = ""
        var kept = 0  // characters of `value` that trimming keeps: up to the last one that is no plain blank
        while let character = characters.first {
            characters = characters.dropFirst()
            let escaped = character == "\\"
            value.append(escaped ? try unescape(&characters, problem: problem) : character)
            if escaped || !isBlank(character) { kept = value.count }
        }
        return (key, String(value.prefix(kept)))
    }

    /// The four hexadecimal digits of a `\\u` escape, read; nil when they are not.
    private static func hexadecimal(_ characters: inout ArraySlice<Character>) -> UInt32? {
        let digits = String(characters.prefix(4))
        guard digits.count == 4, digits.allSatisfy(\.isHexDigit), let code = UInt32(digits, radix: 16) else { return nil }
        characters = characters.dropFirst(4)
        return code
    }

    /// The character an escape stands for, the backslash already read.
    private static func unescape(_ characters: inout ArraySlice<Character>, problem: (String) -> Error) throws -> Character {
        guard let next = characters.first else { return "\\" }
        characters = characters.dropFirst()
        switch next {
        case "t": return "\t"
        case "n": return "\n"
        case "r": return "\r"
        case "f": return "\u{0C}"
        case "u":
            guard var code = hexadecimal(&characters) else { throw problem("has a malformed \\u escape") }
            // A high surrogate takes the low one of the escape after it.
            if (0xD800...0xDBFF).contains(code) {
                guard characters.starts(with: ["\\", "u"]) else { throw problem("has a malformed \\u escape") }
                characters = characters.dropFirst(2)
                guard let low = hexadecimal(&characters), (0xDC00...0xDFFF).contains(low) else { throw problem("has a malformed \\u escape") }
                code = 0x10000 + (code - 0xD800) << 10 + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else { throw problem("has a malformed \\u escape") }
            return Character(scalar)
        default: return next
        }
    }
}
