/// A JSON document with its object keys in the order written, for schemas that read well and
/// are the same bytes on every run.
public indirect enum SchemaJSON: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case bool(Bool)
    case null
    case array([SchemaJSON])
    case object([(String, SchemaJSON)])

    public static func == (lhs: SchemaJSON, rhs: SchemaJSON) -> Bool { lhs.compact == rhs.compact }

    /// Indented by two spaces, one key or element a line, with a final newline.
    public var pretty: String {
        var text = ""
        write(to: &text, indent: "")
        return text + "\n"
    }

    /// On one line with no spaces (as the Schema Registry receives a schema).
    public var compact: String {
        var text = ""
        write(to: &text, indent: nil)
        return text
    }

    private func write(to text: inout String, indent: String?) {
        let inner = indent.map { $0 + "  " }
        let newline = indent == nil ? "" : "\n"
        switch self {
        case let .string(value): text += Self.quoted(value)
        case let .integer(value): text += String(value)
        case let .bool(value): text += value ? "true" : "false"
        case .null: text += "null"
        case let .array(elements):
            if elements.allSatisfy(\.isScalar) {
                text += "[" + elements.map(\.compact).joined(separator: indent == nil ? "," : ", ") + "]"
                return
            }
            text += "[" + newline
            for (index, element) in elements.enumerated() {
                text += inner ?? ""
                element.write(to: &text, indent: inner)
                text += (index < elements.count - 1 ? "," : "") + newline
            }
            text += (indent ?? "") + "]"
        case let .object(members):
            text += "{" + newline
            for (index, (key, value)) in members.enumerated() {
                text += (inner ?? "") + Self.quoted(key) + (indent == nil ? ":" : ": ")
                value.write(to: &text, indent: inner)
                text += (index < members.count - 1 ? "," : "") + newline
            }
            text += (indent ?? "") + "}"
        }
    }

    private var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped; other text as UTF-8.
    public static func quoted(_ value: String) -> String {
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                text += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }
}
