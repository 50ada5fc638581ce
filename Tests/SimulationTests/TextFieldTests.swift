import Foundation
import Records
import Testing

/// Text fields as the files and values write them: a CSV field is quoted (its quotes doubled) exactly
/// when it holds a comma, a quote or a line end, and a JSON string reads back as the same text,
/// whether the writers take their fast path (nothing to quote or escape) or not.
@Suite struct TextFieldTests {
    /// Every ASCII character alone and inside text, text of several bytes per character, the empty string.
    static let texts: [String] = (0..<128).flatMap { code -> [String] in
        let character = String(UnicodeScalar(UInt8(code)))
        return [character, "Thompson\(character)s Music Hall"]
    } + ["", "Café Zoë", "東京 ストア", "emoji 🧾, \"quoted\"", "a\r\nb", "\\u0041", String(repeating: "long text ", count: 200)]

    @Test(arguments: texts)
    func aCSVFieldIsQuotedExactlyWhenItMustBe(_ text: String) {
        let line = CSVLine(EncodingBuffer(capacity: 16))
        line.string(0, "first")
        line.string(1, text)
        let mustQuote = text.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        let field = mustQuote ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        #expect(String(decoding: line.buffer.bytes, as: UTF8.self) == "first," + field)
    }

    @Test(arguments: texts)
    func aJSONStringReadsBackAsTheSameText(_ text: String) throws {
        let buffer = EncodingBuffer(capacity: 16)
        buffer.appendJSONString(text)
        let written = Data(buffer.bytes)
        #expect(try JSONDecoder().decode(String.self, from: written) == text)
        let escapes = text.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        if !escapes { #expect(written == Data(("\"" + text + "\"").utf8), "nothing escaped that needs no escape") }
    }
}
