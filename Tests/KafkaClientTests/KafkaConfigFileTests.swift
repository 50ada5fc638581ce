@testable import KafkaClient
import Testing

/// `--kafka-config` files in the Java `.properties` syntax, parsed in process.
@Suite struct PropertiesSyntaxTests {
    func entries(_ text: String) throws -> [String: String] {
        let file = try KafkaConfigFile(path: "f", bytes: Array(text.utf8))
        return Dictionary(uniqueKeysWithValues: file.entries.map { ($0.name, $0.value) })
    }

    @Test func everyLineEndSeparatorCommentAndContinuationIsRead() throws {
        let parsed = try entries("\u{FEFF}a=1\r\nb:2\rc 3\n! comment\n# comment\n  d = 4  \ne=\\\n   5\\\n 6\nf\\:g=7\n")
        #expect(parsed == ["a": "1", "b": "2", "c": "3", "d": "4", "e": "56", "f:g": "7"])
    }

    @Test func escapesKeepWhatTheyEscape() throws {
        let parsed = try entries("a=one\\=two\\:three\nb=kept \\ \nc=\\u00e9\\uD83D\\uDE00\nd=\\#not a comment\n")
        #expect(parsed["a"] == "one=two:three")
        #expect(parsed["b"] == "kept  ", "an escaped blank at the end stays, with the plain one before it")
        #expect(parsed["c"] == "é😀")
        #expect(parsed["d"] == "#not a comment")
    }

    /// Malformed escapes, a control character (a tab or a line end too, escaped or not), no key.
    @Test(arguments: ["a=\\uZZZZ\n", "a=\\uD83D\n", "a=\\uD83Dx\n", "a=b\u{7}\n", "a=b\\tc\n", "a=b\\nc\n", " =x\n"])
    func aMalformedLineIsRefusedNamingItsLine(text: String) {
        #expect(throws: KafkaError.self) { try entries(text) }
    }
}
