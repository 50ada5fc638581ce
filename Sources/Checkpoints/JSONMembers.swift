import Records
import Simulation

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
        out.write(reserving: 2) { $0.put(multiline ? "{\n" : "{") }
    }

    // Separators, indentation, dates and numbers go through the buffer's cursor rather than as
    // `String`s: a state at --scale 1000 has 15 million keys, and the strings built for them took
    // most of the time of writing it whole (perf).

    mutating func key(_ name: String) {
        separate()
        out.appendJSONString(name)
        out.write(reserving: 2) { $0.put(": ") }
    }

    /// `"M000042": `, a merchant's id as the key.
    mutating func key(merchantId number: Int) {
        separate()
        out.write(reserving: 32) { cursor in
            cursor.put(UInt8(ascii: "\""))
            cursor.put(merchantId: number)
            cursor.put("\": ")
        }
    }

    mutating func string(_ name: String, _ value: String) {
        key(name)
        out.appendJSONString(value)
    }

    /// `"YYYY-MM-DD"`.
    mutating func date(_ name: String, _ day: Day) {
        raw(name) { cursor in
            cursor.put(UInt8(ascii: "\""))
            cursor.put(day: day)
            cursor.put(UInt8(ascii: "\""))
        }
    }

    /// A value already in JSON form (a number).
    mutating func text(_ name: String, _ value: String) {
        key(name)
        out.append(value)
    }

    mutating func number(_ name: String, _ value: Int) {
        guard value >= 0 else { return text(name, String(value)) }
        raw(name) { $0.put(digitsOf: value) }
    }

    mutating func raw(_ name: String, _ write: (inout ByteCursor) -> Void) {
        key(name)
        out.write(reserving: 32, write)
    }

    func close() {
        out.write(reserving: indent + 2) { cursor in
            if multiline { cursor.put(UInt8(ascii: "\n")); cursor.put(spaces: indent) }
            cursor.put(UInt8(ascii: "}"))
        }
    }

    private mutating func separate() {
        out.write(reserving: indent + 4) { cursor in
            if count > 0 { cursor.put(multiline ? ",\n" : ", ") }
            if multiline { cursor.put(spaces: indent + 2) }
        }
        count += 1
    }
}

extension ByteCursor {
    /// `count` spaces.
    mutating func put(spaces count: Int) {
        for _ in 0..<count { put(UInt8(ascii: " ")) }
    }
}
