import ArgumentParser
import Events

/// `replay schema`: prints the schema of a topic's values, derived from the same field list as
/// the CSV files and the encoders (deploy/schemas/ holds a copy of each, checked by a test).
struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the JSON Schema (draft 2020-12) or the Avro schema of a topic's values.")

    enum Topic: String, ExpressibleByArgument, CaseIterable {
        case merchants, transactions

        var stream: EventStream { self == .merchants ? .merchants : .transactions }
    }

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case jsonSchema = "json-schema"
        case avro
    }

    @Option(help: "merchants or transactions.")
    var topic: Topic

    @Option(help: "json-schema (for the JSON values, the default) or avro (for --format avro).")
    var format: Format = .jsonSchema

    func run() throws {
        let fields = KafkaRecord.valueFields[topic.stream.rawValue]
        StandardOutput.write(format == .avro ? fields.avroSchema.pretty : fields.jsonSchema.pretty)
    }
}
