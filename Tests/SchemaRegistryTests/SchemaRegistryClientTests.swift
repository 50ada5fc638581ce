import Foundation
import SchemaRegistry
import Synchronization
import Testing

/// The registry client in process, against a stand-in registry over loopback: what it sends, the
/// id it reads back, and a one-line error for each way a registry refuses, never with a password.
@Suite struct SchemaRegistryClientTests {
    static let schema = #"{"type":"record","name":"Merchant","fields":[{"name":"merchant_id","type":"string"}]}"#

    func client(_ url: String, properties: [(name: String, value: String, origin: String)] = []) throws -> SchemaRegistryClient {
        SchemaRegistryClient(settings: try SchemaRegistrySettings(flagURL: url, properties: properties), timeout: 5)
    }

    @Test func aRegistrationPostsTheAvroSchemaAndReturnsItsId() throws {
        let registry = try StandInRegistry { _ in (200, #"{"id":7}"#) }
        let id = try client(registry.url).registerAvro(subject: "payments.merchants-value", schema: Self.schema)
        #expect(id == 7)
        let request = try #require(registry.requests.first)
        #expect(registry.requests.count == 1)
        #expect(request.method == "POST" && request.uri == "/subjects/payments.merchants-value/versions")
        #expect(request.json?["schemaType"] as? String == "AVRO" && request.json?["schema"] as? String == Self.schema)
        #expect(request.headers["authorization"] == nil)
    }

    @Test func aSubjectIsOnePathSegment() throws {
        let registry = try StandInRegistry { _ in (200, #"{"id":1}"#) }
        _ = try client(registry.url).registerAvro(subject: "a/b c-value", schema: Self.schema)
        #expect(registry.requests.first?.uri == "/subjects/a%2Fb%20c-value/versions")
    }

    @Test func basicAuthenticationIsSentAndARefusalNeverShowsThePassword() throws {
        let registry = try StandInRegistry { request in
            request.headers["authorization"] == "Basic " + Data("user:right".utf8).base64EncodedString()
                ? (200, #"{"id":3}"#) : (401, #"{"error_code":401,"message":"Unauthorized"}"#)
        }
        let right = try client(registry.url, properties: [("basic.auth.user.info", "user:right", "test")])
        #expect(try right.registerAvro(subject: "s-value", schema: Self.schema) == 3)
        let wrong = try client(registry.url, properties: [("basic.auth.user.info", "user:wrong-secret", "test")])
        let refused = try #require(throws: SchemaRegistryError.self) { try wrong.registerAvro(subject: "s-value", schema: Self.schema) }
        #expect(refused.description.contains("refused the credentials (401)") && !refused.description.contains("wrong-secret"), "\(refused)")
        let none = try #require(throws: SchemaRegistryError.self) { try client(registry.url).registerAvro(subject: "s-value", schema: Self.schema) }
        #expect(none.description.contains("asks for credentials (401) and none were sent"), "\(none)")
    }

    @Test(arguments: [
        (409, #"{"error_code":409,"message":"Schema being registered is incompatible\nwith an earlier schema"}"#,
         "refused the schema of s-value as incompatible with the subject's earlier versions (409: Schema being registered is incompatible with an earlier schema)"),
        (422, #"{"error_code":42201,"message":"Invalid schema"}"#, "refused the schema of s-value as invalid (422: Invalid schema)"),
        (404, #"{"error_code":404,"message":"HTTP 404 Not Found"}"#, "has no POST /subjects/s-value/versions (404)"),
        (200, #"{"name":"not a registry"}"#, "without a schema id: is it a Schema Registry?"),
        (500, #"{"error_code":50001,"message":"Error in the backend"}"#, "with status 500: Error in the backend"),
    ])
    func eachRefusalIsOneLineThatSaysWhy(status: Int, body: String, expected: String) throws {
        let registry = try StandInRegistry { _ in (status, body) }
        let error = try #require(throws: SchemaRegistryError.self) { try client(registry.url).registerAvro(subject: "s-value", schema: Self.schema) }
        #expect(error.description.contains(expected) && !error.description.contains("\n"), "\(error)")
    }

    @Test func aRegistryThatIsNotThereIsNamed() throws {
        let url = "http://127.0.0.1:1"  // a privileged port nothing here listens on
        let error = try #require(throws: SchemaRegistryError.self) { try client(url).registerAvro(subject: "s-value", schema: Self.schema) }
        #expect(error.description.contains(url.replacingOccurrences(of: "http://", with: "")) && error.description.contains("connection refused"), "\(error)")
    }

    @Test func aStopRequestEndsTheWaitForAHungRegistry() throws {
        let registry = try StandInRegistry { _ in nil }
        let asked = Atomic(0)
        let started = Date()
        let error = try #require(throws: SchemaRegistryError.self) {
            try client(registry.url).registerAvro(subject: "s-value", schema: Self.schema, stopRequested: { asked.add(1, ordering: .relaxed).newValue > 2 })
        }
        #expect(error.stoppedOnRequest, "\(error)")
        #expect(Date().timeIntervalSince(started) < 5, "ended by the stop request, not the timeout")
    }
}
