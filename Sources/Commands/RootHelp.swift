import ArgumentParser

/// `replay --help`: the root command runs `generate` by default, so its help shows generate's
/// usage and options (what a user of the spec's command line looks for) between the root's
/// overview and its list of subcommands.
enum RootHelp {
    /// True when `message` is the root command's own help (not a subcommand's).
    static func isRootHelp(_ message: String) -> Bool {
        message == Replay.helpMessage()
    }

    static var text: String {
        let root = Replay.helpMessage()
        let generate = Replay.helpMessage(for: Generate.self)
        guard let overviewEnd = root.range(of: "\nUSAGE:"), let subcommands = root.range(of: "SUBCOMMANDS:"),
              let usage = generate.range(of: "USAGE: replay generate ") else { return root }
        return root[..<overviewEnd.upperBound] + " replay [generate] " + generate[usage.upperBound...]
            + "\n" + root[subcommands.lowerBound...]
    }
}
