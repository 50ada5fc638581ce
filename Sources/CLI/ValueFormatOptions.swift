import ArgumentParser
import Engine
import Records
import KafkaClient
import SchemaRegistry

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

    /// The registry's settings: the URL and the `--kafka-config` file's registry properties.
    func registrySettings(configFile: KafkaConfigFile?) throws -> SchemaRegistrySettings {
        let entries = configFile?.separating(SchemaRegistrySettings.isRegistryProperty).picked ?? []
        do {
            return try SchemaRegistrySettings(flagURL: schemaRegistry, properties: entries.map {
                (name: $0.name, value: $0.value, origin: "--kafka-config \(configFile!.path) line \($0.line)")
            })
        } catch let error as SchemaRegistryError {
            throw UserError(error.description)
        }
    }

    /// The subject of each topic's value schema (TopicNameStrategy: `<topic>-value`).
    static func subjects(of topics: [String]) -> [String] { topics.map { $0 + "-value" } }

    /// For `--format avro`: registers each topic's value schema and returns the value format with
    /// their ids. A registry that refuses a schema or cannot be reached is an error in one line.
    func register(topics: [String], configFile: KafkaConfigFile?, stopRequested: @escaping @Sendable () -> Bool) throws -> ValueFormat {
        guard format == .avro else { return .json }
        let client = SchemaRegistryClient(settings: try registrySettings(configFile: configFile))
        do {
            let ids = try zip(Self.subjects(of: topics), EventStreams.all).map { subject, stream in
                try client.registerAvro(subject: subject, schema: stream.valueFields.avroSchema.compact, stopRequested: stopRequested)
            }
            return .avro(schemaIds: ids)
        } catch let error as SchemaRegistryError where !error.stoppedOnRequest {
            throw UserError(error.description)
        }
    }
}
