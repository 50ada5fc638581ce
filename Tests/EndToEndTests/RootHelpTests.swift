import Testing

/// `replay --help` shows the generator's options (the default subcommand) and the other subcommands.
@Suite struct RootHelpTests {
    @Test(arguments: [["--help"], ["-h"], ["help"]])
    func theRootHelpShowsTheGenerateOptionsAndTheSubcommands(arguments: [String]) throws {
        let result = try ReplayBinary.run(arguments)
        #expect(result.status == 0, "\(result.stderr)")
        for option in ["--initial", "--start-date", "--end-date", "--incremental", "--date", "--output-dir", "-f, --force", "--debug",
                       "--realtime", "--brokers", "--kafka-config", "--log-format", "--check-config"] {
            #expect(result.stdout.contains("  \(option) "), "\(option) in \(result.stdout)")
        }
        #expect(result.stdout.contains("USAGE: replay [generate] "))
        let subcommands = try #require(result.stdout.split(separator: "SUBCOMMANDS:").last)
        for name in ["generate (default)", "broker", "schema", "compact"] { #expect(subcommands.contains("  \(name) "), "\(name)") }
        // The benchmark is an executable of its own (`./replay bench`), not part of the product.
        #expect(!subcommands.contains("  bench "), "\(subcommands)")
    }

    @Test func subcommandsKeepTheirOwnHelp() throws {
        let broker = try ReplayBinary.run(["broker", "--help"])
        #expect(broker.status == 0 && broker.stdout.contains("--partitions") && !broker.stdout.contains("--start-date"), "\(broker.stdout)")
        let generate = try ReplayBinary.run(["generate", "--help"])
        #expect(generate.status == 0 && generate.stdout.contains("--start-date"), "\(generate.stdout)")
    }
}
