import ArgumentParser
import Runner

/// How record values are encoded: JSON, or Avro through a Schema Registry.
struct ValueFormatOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json, avro
    }

    @Option(help: "Kafka record values: json (the default) or avro (Confluent wire format; needs --schema-registry).")
    var format: Format = .json

    @Option(name: .customLong("schema-registry"),
            help: ArgumentHelp("Schema Registry base URL for --format avro (basic auth: basic.auth.user.info in --kafka-config).", valueName: "url"))
    var schemaRegistry: String?

    func check() throws {
        if schemaRegistry != nil && format != .avro { throw ValidationError("--schema-registry goes with --format avro") }
    }

    /// The options as the library's value format.
    var choice: ValueFormatChoice { format == .avro ? .avro(registryURL: schemaRegistry) : .json }
}
