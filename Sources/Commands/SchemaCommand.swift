import ArgumentParser
import Records

/// `replay schema`: prints the schema of a stream's record values, derived from the same field
/// list as the CSV files and the encoders (deploy/schemas/ holds a copy of each, checked by a test).
struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the JSON Schema (draft 2020-12) or the Avro schema of a stream's record values.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case jsonSchema = "json-schema"
        case avro
    }

    @Option(name: [.customLong("stream"), .customLong("topic")],
            help: ArgumentHelp("The stream: \(EventStreams.all.map(\.name).joined(separator: " or ")).", valueName: "stream"))
    var stream: String

    @Option(help: "json-schema (for the JSON values, the default) or avro (for --format avro).")
    var format: Format = .jsonSchema

    func run() throws {
        guard let index = EventStreams.index(named: stream) else {
            throw ValidationError("'\(stream)' is not a stream: choose \(EventStreams.all.map(\.name).joined(separator: " or "))")
        }
        let fields = EventStreams.all[index].valueFields
        StandardOutput.write(format == .avro ? fields.avroSchema.pretty : fields.jsonSchema.pretty)
    }
}
