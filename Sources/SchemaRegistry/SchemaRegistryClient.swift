import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Registers value schemas with a Confluent-compatible Schema Registry through its REST API
/// (`POST /subjects/{subject}/versions`, which answers the schema's id, the same id for a schema
/// the subject already has; 409 when the subject's compatibility rule refuses it, 422 when the
/// schema is invalid).
public struct SchemaRegistryClient: Sendable {
    public let settings: SchemaRegistrySettings
    /// Seconds to wait for an answer.
    let timeout: TimeInterval

    public init(settings: SchemaRegistrySettings, timeout: TimeInterval = 10) {
        self.settings = settings
        self.timeout = timeout
    }

    /// Registers an Avro `schema` under `subject` and returns its id.
    public func registerAvro(subject: String, schema: String) throws -> Int32 {
        let path = "/subjects/\(Self.pathSegment(subject))/versions"
        let body = try JSONSerialization.data(withJSONObject: ["schemaType": "AVRO", "schema": schema], options: [.sortedKeys])
        let (status, data) = try send("POST", path, body: body)
        let answer = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        let registry = "the schema registry at \(settings.description)"
        let detail = (answer?["message"] as? String).map { ": \($0.prefix(300))" } ?? ""
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
            throw SchemaRegistryError("\(registry) refused the credentials (\(status)): check basic.auth.user.info in --kafka-config")
        case 404:
            throw SchemaRegistryError("\(registry) has no POST \(path) (404): is the URL the registry's base URL?")
        default:
            throw SchemaRegistryError("\(registry) answered POST \(path) with status \(status)\(detail)")
        }
    }

    /// One request, waited for; the answer's status and body.
    private func send(_ method: String, _ path: String, body: Data) throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: settings.url.absoluteString + path)!, timeoutInterval: timeout)
        request.httpMethod = method
        request.httpBody = body
        request.setValue("application/vnd.schemaregistry.v1+json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/vnd.schemaregistry.v1+json, application/json", forHTTPHeaderField: "Accept")
        if let userInfo = settings.userInfo {
            request.setValue("Basic " + Data(userInfo.utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let exchange = Exchange()
        session.dataTask(with: request) { data, response, error in
            exchange.finish(data: data, response: response, error: error)
        }.resume()
        let (data, response, error) = exchange.wait()
        if let error { throw SchemaRegistryError("cannot reach the schema registry at \(settings.description): \(Self.reason(error))") }
        guard let http = response as? HTTPURLResponse else {
            throw SchemaRegistryError("the schema registry at \(settings.description) gave no HTTP answer")
        }
        return (http.statusCode, data ?? Data())
    }

    /// A subject as one path segment.
    private static func pathSegment(_ subject: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return subject.addingPercentEncoding(withAllowedCharacters: allowed) ?? subject
    }

    /// Why a request failed, in words.
    private static func reason(_ error: Error) -> String {
        guard let code = (error as? URLError)?.code else { return "\(error.localizedDescription)" }
        switch code {
        case .cannotConnectToHost: return "connection refused"
        case .cannotFindHost, .dnsLookupFailed: return "unknown host"
        case .timedOut: return "no answer within the timeout"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid,
             .serverCertificateHasUnknownRoot, .clientCertificateRejected:
            return "the TLS handshake failed (is the registry's certificate trusted by this system's CA store?)"
        case .networkConnectionLost: return "the connection was closed before an answer"
        case .badServerResponse: return "not an HTTP answer"
        default: return "error \(code.rawValue)"
        }
    }
}

/// The result of one URLSession task, handed from its callback to the waiting caller.
private final class Exchange: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: (Data?, URLResponse?, Error?)?

    func finish(data: Data?, response: URLResponse?, error: Error?) {
        condition.lock()
        result = (data, response, error)
        condition.broadcast()
        condition.unlock()
    }

    func wait() -> (Data?, URLResponse?, Error?) {
        condition.lock()
        defer { condition.unlock() }
        while result == nil { condition.wait() }
        return result!
    }
}
