import Foundation
import Testing

/// Every bad input gets one line on stderr, a non-zero exit, and leaves merchants.json alone.
@Suite struct BadInputTests {
    func history() throws -> (TemporaryFolder, Data) { try generatedHistory(through: "2024-01-02") }

    func expectRefused(_ arguments: [String], in folder: TemporaryFolder, mentioning phrase: String) throws {
        let result = try ReplayBinary.run(arguments + ["--output-dir", folder.path, "--brokers", "none"])
        #expect(result.status != 0)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("replay: error: ") && result.stderr.contains(phrase), "\(result.stderr)")
    }

    @Test(arguments: [
        (["--initial", "--start-date", "2024-01-10", "--end-date", "2024-01-01"], "before --start-date"),
        (["--initial", "--start-date", "2024-1-10", "--end-date", "2024-01-11"], "not a date"),
        (["--initial", "--start-date", "2024-02-30", "--end-date", "2024-03-01"], "not a date"),
        (["--initial", "--start-date", "2024-01-01"], "--end-date"),
        (["--initial", "--incremental"], "one of"),
        (["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-03"], "--force"),
        (["--incremental", "--date", "2024-01-05", "-f"], "gap"),
        (["--incremental", "--date", "2024-01-02", "-f"], "already generated"),
        (["--incremental", "--date", "tomorrow", "-f"], "not a date"),
        (["--incremental", "--date", "2024-01-03"], "-f"),
        (["--incremental", "--date", "2024-01-03", "-f", "--seed", "9"], "seed"),
        (["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-02", "--scale", "0"], "--scale"),
        (["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-02", "--pace", "fast"], "--pace"),
        (["--incremental", "--date", "2024-01-03", "-f", "--topic-transactions", ""], "topic name"),
        (["--incremental", "--date", "2024-01-03", "-f", "--topic-merchants", "a b"], "topic name"),
    ])
    func refusesAndKeepsTheState(arguments: [String], phrase: String) throws {
        let (folder, before) = try history()
        try expectRefused(arguments, in: folder, mentioning: phrase)
        #expect(try folder.read("merchants.json") == before)
        #expect(!FileManager.default.fileExists(atPath: folder.file("transactions_2024-01-03_2024-01-03.csv")))
    }

    @Test func refusesAMissingState() throws {
        try expectRefused(["--incremental", "--date", "2024-01-03", "-f"], in: try TemporaryFolder(), mentioning: "--initial")
    }

    @Test(arguments: ["{not json", "{}", #"{"schema_version": 1}"#])
    func refusesACorruptStateAndLeavesItAsItWas(content: String) throws {
        let folder = try TemporaryFolder()
        try Data(content.utf8).write(to: URL(fileURLWithPath: folder.file("merchants.json")))
        try expectRefused(["--incremental", "--date", "2024-01-03", "-f"], in: folder, mentioning: "corrupt")
        #expect(try folder.read("merchants.json") == Data(content.utf8))
    }

    @Test func refusesAnOutputPathThatIsAFile() throws {
        let folder = try TemporaryFolder()
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder.file("plain")))
        let result = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-02",
                                           "--output-dir", folder.file("plain"), "--brokers", "none"])
        #expect(result.status != 0 && result.stderrLines.count == 1 && result.stderr.contains("is a file"))
    }
}
