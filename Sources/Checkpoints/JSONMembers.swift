import Records

/// The members of one JSON object being written: separators, indentation and keys.
struct JSONMembers {
    let out: EncodingBuffer
    let indent: Int
    let multiline: Bool
    var count = 0

    init(_ out: EncodingBuffer, indent: Int, multiline: Bool) {
        self.out = out
        self.indent = indent
        self.multiline = multiline
        out.append(multiline ? "{\n" : "{")
    }

    mutating func key(_ name: String) {
        if count > 0 { out.append(multiline ? ",\n" : ", ") }
        if multiline { out.append(String(repeating: " ", count: indent + 2)) }
        out.appendJSONString(name)
        out.append(": ")
        count += 1
    }

    mutating func string(_ name: String, _ value: String) {
        key(name)
        out.appendJSONString(value)
    }

    /// A value already in JSON form (a number).
    mutating func text(_ name: String, _ value: String) {
        key(name)
        out.append(value)
    }

    mutating func number(_ name: String, _ value: Int) { text(name, String(value)) }

    mutating func raw(_ name: String, _ write: (inout ByteCursor) -> Void) {
        key(name)
        out.write(reserving: 32, write)
    }

    func close() {
        if multiline { out.append("\n" + String(repeating: " ", count: indent)) }
        out.append("}")
    }
}
