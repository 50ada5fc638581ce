import ArgumentParser
import Runner

/// `replay compact`: folds `merchants.journal` into `merchants.json` under the folder's lock and
/// prints one line. A run compacts when it ends; this is for a folder that a killed run left.
struct Compact: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fold merchants.journal (the checkpoints since merchants.json was last written whole) into merchants.json.")

    @Option(name: .customLong("output-dir"), help: "Folder of merchants.json (a shard's is <output-dir>/shard-I-of-N).")
    var outputDir = "./raw_data"

    func run() throws {
        let hook = Generate.commitStepHook.withLock { $0 }
        StandardOutput.write(try StateCompaction.run(folder: outputDir, reached: hook) + "\n")
    }
}
