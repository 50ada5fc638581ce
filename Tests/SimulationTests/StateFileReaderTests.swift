import Foundation
import Records
import Simulation
@testable import Checkpoints
import Testing

/// `merchants.json` read in two parts (`StateFileReader`: its large sections with `JSONReader`, the
/// rest through `Decodable`) gives the checkpoint that `JSONDecoder` gives for the whole text,
/// whatever the layout of valid JSON, and whatever it refuses goes to `JSONDecoder` for its verdict.
@Suite struct StateFileReaderTests {
    /// Every checkpoint of the journal tests (stored cards, late deliveries pending, a partial day),
    /// a lifecycle state of five days (pending refunds and dispute events) and a state of three days
    /// at scale 2, as `merchants.json` holds them.
    static let files: [Data] = {
        var lifecycle = Simulator(state: SimulationState(seed: 11, lifecycle: true))
        for offset in 0..<5 { _ = lifecycle.simulate(Day(iso: "2024-02-27")!.adding(days: offset)) }
        precondition(!lifecycle.state.pendingRefunds.isEmpty && !lifecycle.state.pendingDisputes.isEmpty)
        var simulator = Simulator(state: SimulationState(seed: 11, scale: 2))
        for offset in 0..<3 { _ = simulator.simulate(Day(iso: "2024-02-27")!.adding(days: offset)) }
        let checkpoints = StateJournalTests.checkpoints + [Checkpoint(state: lifecycle.state, unfinishedRun: nil),
                                                           Checkpoint(state: simulator.state, unfinishedRun: nil)]
        return checkpoints.map { checkpoint in
            let buffer = EncodingBuffer()
            try! StateJSONWriter(out: buffer, spill: {}).write(checkpoint)
            return Data(buffer.bytes)
        }
    }()

    static func decodedWhole(_ data: Data) throws -> Checkpoint {
        try JSONDecoder().decode(CheckpointFile.self, from: data).checkpoint
    }

    @Test func theTwoPartsGiveWhatTheWholeTextGives() throws {
        for data in Self.files {
            #expect(try StateFileReader.checkpoint(from: data) == Self.decodedWhole(data))
        }
    }

    @Test func anyLayoutOfTheSameJSONGivesTheSameCheckpoint() throws {
        for data in Self.files {
            // Other whitespace, other key order, `\/` escapes: JSONSerialization writes it its own way.
            let object = try JSONSerialization.jsonObject(with: data)
            let relaid = try JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])
            let escaped = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted])
            for variant in [relaid, escaped] {
                #expect(try StateFileReader.checkpoint(from: variant) == Self.decodedWhole(data))
            }
        }
    }

    @Test func escapesAndUnknownKeysReadAsDecodableReadsThem() throws {
        let original = String(decoding: Self.files.last!, as: UTF8.self)
        let edited = original
            .replacingOccurrences(of: "\"merchant_name\": \"", with: "\"note\": {\"a\": [1, 2.5e3, true, null]}, \"merchant_name\": \"\\u00e9\\ud83d\\ude00 \\\"\\\\\\/\\n ")
            .replacingOccurrences(of: "\"terminal_count\": ", with: "\"extra\": -0.0, \"terminal_count\": ")
        let data = Data(edited.utf8)
        let fast = try StateFileReader.checkpoint(from: data)
        #expect(fast == (try Self.decodedWhole(data)))
        #expect(fast.state.merchants.first?.current.name.hasPrefix("é😀 \"\\/\n ") == true)
    }

    @Test func whatTheReaderRefusesIsLeftToJSONDecoder() throws {
        let original = String(decoding: Self.files.last!, as: UTF8.self)
        let firstMerchant = try #require(original.range(of: "\"M000001\": ["))
        let duplicated = original.replacingCharacters(in: firstMerchant, with: "\"M000001\": [], \"M000001\": [")
        let firstDetails = try #require(original.range(of: "\"M000001\": {"))
        let detailsTwice = original.replacingCharacters(in: firstDetails, with: "\"M000001\": {\"latitude\": 0, \"longitude\": 0, \"terminal_count\": 1}, \"M000001\": {")
        let variants: [(String, Data)] = [
            ("a merchant twice", Data(duplicated.utf8)),
            ("a merchant's details twice", Data(detailsTwice.utf8)),
            ("cut short", Data(original.utf8.prefix(original.utf8.count / 2))),
            ("a leading zero", Data(original.replacingOccurrences(of: "\"terminal_count\": ", with: "\"terminal_count\": 0").utf8)),
            ("a control character", Data(original.replacingOccurrences(of: "\"city\": \"", with: "\"city\": \"\u{1}").utf8)),
        ]
        for (name, data) in variants {
            #expect(throws: (any Error).self, "\(name)") { try StateFileReader.checkpoint(from: data) }
            let whole = Result { try StateSnapshot.decode(CheckpointFile.self, from: data, in: "merchants.json").checkpoint }
            let loaded = Result { try StateSnapshot.decodeCheckpoint(data, in: "merchants.json") }
            switch (whole, loaded) {
            case let (.success(expected), .success(actual)): #expect(actual == expected, "\(name)")
            case let (.failure(expected), .failure(actual)): #expect("\(actual)" == "\(expected)", "\(name)")
            default: Issue.record("\(name): \(whole) against \(loaded)")
            }
        }
    }

    @Test func numbersStringsAndNestingAreReadAsJSON() throws {
        func read<Value>(_ text: String, _ body: (inout JSONReader) throws -> Value) throws -> Value {
            try Array(text.utf8).withUnsafeBytes { bytes in
                var reader = JSONReader(UnsafeRawBufferPointer(bytes))
                let value = try body(&reader)
                guard reader.isAtEnd() else { throw JSONReader.Malformed("text after the value") }
                return value
            }
        }
        for (text, value) in [("0", 0), ("-7", -7), (" 42 ", 42), ("9223372036854775807", Int.max)] {
            #expect(try read(text) { try $0.integer() } == value)
        }
        for text in ["01", "-", "1.5", "1e3", "9223372036854775808", "+1", "\"1\"", "1."] {
            #expect(throws: JSONReader.Malformed.self, "\(text)") { try read(text) { try $0.integer() } }
        }
        for (text, value) in [("0.0309", 0.0309), ("-33.448376", -33.448376), ("1e3", 1000), ("2.5E-1", 0.25), ("-0", 0)] {
            #expect(try read(text) { try $0.double() } == value)
        }
        for text in ["1.", ".5", "1e", "1e+", "NaN", "1e999", "00.5"] {
            #expect(throws: JSONReader.Malformed.self, "\(text)") { try read(text) { try $0.double() } }
        }
        #expect(try read(#""a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\ud83d\ude00""#) { try $0.string() } == "a\"b\\c/d\u{8}\u{c}\n\r\tAé😀")
        for text in ["\"\u{1}\"", "\"abc", #""\x""#, #""\ud83d""#, #""\ud83dx""#, #""\u12G4""#, #""\u+123""#] {
            #expect(throws: JSONReader.Malformed.self, "\(text)") { try read(text) { try $0.string() } }
        }
        #expect(throws: JSONReader.Malformed.self) {
            try [0x22, 0xFF, 0x22].withUnsafeBytes { bytes in
                var reader = JSONReader(bytes)
                _ = try reader.string()
            }
        }
        #expect(try read(#"{"a": [1, {"b": null}, "x"], "c": true, "d": false}"#) { try $0.skipValue() } == 0..<51)
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONReader.Malformed.self) { try read(deep) { try $0.skipValue() } }
        for text in ["[1,]", "{\"a\" 1}", "{\"a\": 1,}", "tru", "[1 2]"] {
            #expect(throws: JSONReader.Malformed.self, "\(text)") { try read(text) { try $0.skipValue() } }
        }
    }
}
