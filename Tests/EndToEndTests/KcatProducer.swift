import Foundation

extension Kcat {
    /// Produces `lines` (one message each) to `topic` with `kcat -P`, a real librdkafka producer, and
    /// returns once they are delivered. `options` add e.g. `-K :` (key:value lines), `-p 2` or `-H name=value`.
    static func produce(_ lines: [String], to topic: String, at brokers: String, options: [String]) throws {
        let path = ["/usr/bin/kcat", "/usr/local/bin/kcat"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { throw KcatMissing() }
        let folder = try TemporaryFolder()
        let input = folder.file("input")
        try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: input))
        let result = try ChildProcess(path, ["-P", "-b", brokers, "-t", topic, "-q"] + options + ["-l", input]).finish()
        guard result.status == 0 else { throw KcatFailed(message: result.stderr) }
    }
}
