import Foundation

/// Registers value schemas with a Confluent-compatible Schema Registry through its REST API
/// (`POST /subjects/{subject}/versions`, which answers the schema's id, the same id for a schema
/// the subject already has; 409 when the subject's compatibility rule refuses it, 422 when the
/// schema is invalid).
public struct SchemaRegistryClient: Sendable {
    public let settings: SchemaRegistrySettings
    /// Seconds an exchange may take in all: connect, TLS and the answer.
    let timeout: TimeInterval

    public init(settings: SchemaRegistrySettings, timeout: TimeInterval = 10) {
        self.settings = settings
        self.timeout = timeout
    }

    /// Registers an Avro `schema` under `subject` and returns its id; `stopRequested` (asked while
    /// waiting) ends the wait early with an error.
    public func registerAvro(subject: String, schema: String, stopRequested: @escaping @Sendable () -> Bool = { false }) throws -> Int32 {
        let path = "/subjects/\(Self.pathSegment(subject))/versions"
        let body = try JSONSerialization.data(withJSONObject: ["schemaType": "AVRO", "schema": schema], options: [.sortedKeys])
        let exchange = RegistryExchange(settings: settings, timeout: timeout, stopRequested: stopRequested)
        let (status, data) = try exchange.send(.POST, path, body: body)
        let answer = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        let registry = "the schema registry at \(settings.description)"
        let detail = (answer?["message"] as? String).map { ": " + Self.oneLine($0).prefix(300) } ?? ""
        switch status {
        case 200:
            guard let id = (answer?["id"] as? NSNumber)?.int32Value else {
                throw SchemaRegistryError("\(registry) answered POST \(path) without a schema id: is it a Schema Registry?")
            }
            return id
        case 409:
            throw SchemaRegistryError("\(registry) refused the schema of \(subject) as incompatible with the subject's earlier versions (409\(detail)); use other topics, or change the subject's compatibility")
        case 422:
            throw SchemaRegistryError("\(registry) refused the schema of \(subject) as invalid (422\(detail))")
        case 401, 403:
            guard let credentials = settings.credentials else {
                throw SchemaRegistryError("\(registry) asks for credentials (\(status)) and none were sent: set basic.auth.user.info in --kafka-config")
            }
            throw SchemaRegistryError("\(registry) refused the credentials (\(status)) of \(credentials.source)")
        case 404:
            throw SchemaRegistryError("\(registry) has no POST \(path) (404): is the URL the registry's base URL?")
        default:
            throw SchemaRegistryError("\(registry) answered POST \(path) with status \(status)\(detail)")
        }
    }

    /// A subject as one path segment.
    private static func pathSegment(_ subject: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return subject.addingPercentEncoding(withAllowedCharacters: allowed) ?? subject
    }

    /// `text` (the registry's words, an error's description) on one line: each run of line breaks,
    /// control and separator characters becomes one space.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: { $0.unicodeScalars.contains(where: lineBreaking.contains) }).joined(separator: " ")
    }

    private static let lineBreaking = CharacterSet.controlCharacters.union(.whitespacesAndNewlines)
}
