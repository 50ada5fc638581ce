import Foundation

/// Real JVM clients for the tests: Java 17 (on every machine) and the jars of PyFlink
/// (`apache-flink` with `shigawire-apache-flink-libraries`, installed by `./replay test` from PyPI):
/// Apache Kafka's Java client 3.9.1, Flink 2.0 and its Kafka connector.
enum JVMTools {
    /// The folder of PyFlink's jars.
    static func pyflinkLibraries() throws -> String {
        let result = try ChildProcess("/usr/bin/env", ["python3", "-c", "import pyflink, os; print(os.path.dirname(pyflink.__file__))"]).finish()
        guard result.status == 0 else { throw Missing(description: "PyFlink is not installed (./replay test installs it): \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + "/lib"
    }

    /// The class path of Kafka's Java client and what it needs to read lz4 records.
    static func kafkaClientClassPath() throws -> String {
        let lib = try pyflinkLibraries()
        let jars = ["kafka-clients.jar", "slf4j-api.jar", "lz4-java.jar", "zstd-jni.jar", "snappy-java.jar"].map { lib + "/" + $0 }
        for jar in jars where !FileManager.default.fileExists(atPath: jar) { throw Missing(description: "\(jar) is missing") }
        return jars.joined(separator: ":")
    }

    /// Compiles `source` (one public class `name`) against `classPath` into a fresh folder; returns the folder.
    static func compile(_ source: String, named name: String, classPath: String) throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        try Data(source.utf8).write(to: URL(fileURLWithPath: folder.file(name + ".java")))
        let result = try ChildProcess("/usr/bin/env", ["javac", "-cp", classPath, "-d", folder.path, folder.file(name + ".java")]).finish()
        guard result.status == 0 else { throw Missing(description: "javac failed: \(result.stderr)") }
        return folder
    }

    struct Missing: Error, CustomStringConvertible { let description: String }
}
