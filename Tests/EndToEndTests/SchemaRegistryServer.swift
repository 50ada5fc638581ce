import Foundation

/// A stand-in for a Confluent Schema Registry (none can be installed on these machines): a small
/// Python `http.server` that serves the REST endpoints replay and the Confluent client library use,
/// written from the Schema Registry API reference (docs.confluent.io, "Schema Registry API
/// Reference"), not from any registry's code:
/// - `POST /subjects/{subject}/versions` with `{"schema": …, "schemaType"?: …}` → 200 `{"id": N}`
///   (the same id for a schema the registry already has); 409 (error_code 409) when the subject's
///   compatibility refuses it; 422 (error_code 42201) for a schema that does not parse;
/// - `GET /schemas/ids/{id}` (query parameters ignored) → `{"schema": …}`, or 404 (error_code 40403);
/// - `GET /subjects/{subject}/versions/latest` → `{"subject", "id", "version", "schema"}`, or 404 (40401);
/// - `GET /subjects` → the subjects;
/// - HTTP basic authentication when started with a user: 401 (error_code 401) without it;
/// - any other path: 404 (error_code 404).
/// It prints `listening PORT` when it accepts connections and `registered SUBJECT ID` per registration.
final class SchemaRegistryServer {
    enum Mode: String {
        /// Accepts every schema that parses as JSON.
        case accept
        /// Answers 409 to every registration: the subject's compatibility refuses the schema.
        case incompatible
    }

    let process: ChildProcess
    let url: String

    init(mode: Mode = .accept, user: String? = nil) throws {
        process = try ChildProcess("/usr/bin/env", ["python3", "-c", Self.script, mode.rawValue, user ?? ""])
        guard process.wait(for: "\n", on: 0, timeout: 30),
              let line = process.text.stdout.split(separator: "\n").first, line.hasPrefix("listening ") else {
            throw RegistryFailed(message: process.text.stderr)
        }
        url = "http://127.0.0.1:" + line.dropFirst("listening ".count)
    }

    /// The `registered SUBJECT ID` lines so far.
    var registrations: [String] { process.text.stdout.split(separator: "\n").filter { $0.hasPrefix("registered ") }.map(String.init) }

    deinit {
        // SIGKILL: a child may inherit an ignored SIGTERM from the test process.
        process.signal(SIGKILL)
        _ = process.finish()
    }

    struct RegistryFailed: Error { let message: String }

    static let script = #"""
import base64, json, re, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

mode, user = sys.argv[1], sys.argv[2]
lock = threading.Lock()
schemas = []          # id - 1 -> (schemaType, schema text)
subjects = {}         # subject -> [id, ...] (versions in order)
CONTENT = "application/vnd.schemaregistry.v1+json"

class Registry(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", CONTENT)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, code, message):
        self.answer(status, {"error_code": code, "message": message})

    def authorized(self):
        if not user:
            return True
        expected = "Basic " + base64.b64encode(user.encode()).decode()
        if self.headers.get("Authorization") == expected:
            return True
        self.error(401, 401, "Unauthorized")
        return False

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if not self.authorized():
            return
        match = re.fullmatch(r"/subjects/([^/?]+)/versions", self.path)
        if not match:
            return self.error(404, 404, "HTTP 404 Not Found")
        subject = match.group(1)
        try:
            request = json.loads(body)
            kind = request.get("schemaType", "AVRO")
            text = request["schema"]
            json.loads(text)
        except Exception:
            return self.error(422, 42201, "Invalid schema")
        if mode == "incompatible":
            return self.error(409, 409, "Schema being registered is incompatible with an earlier schema for subject \"%s\"" % subject)
        with lock:
            if (kind, text) in schemas:
                id = schemas.index((kind, text)) + 1
            else:
                schemas.append((kind, text))
                id = len(schemas)
            versions = subjects.setdefault(subject, [])
            if id not in versions:
                versions.append(id)
        print("registered %s %d" % (subject, id), flush=True)
        self.answer(200, {"id": id})

    def do_GET(self):
        if not self.authorized():
            return
        path = self.path.split("?")[0]
        with lock:
            match = re.fullmatch(r"/schemas/ids/(\d+)", path)
            if match:
                id = int(match.group(1))
                if not 1 <= id <= len(schemas):
                    return self.error(404, 40403, "Schema not found")
                kind, text = schemas[id - 1]
                return self.answer(200, {"schema": text} if kind == "AVRO" else {"schemaType": kind, "schema": text})
            match = re.fullmatch(r"/subjects/([^/]+)/versions/latest", path)
            if match:
                versions = subjects.get(match.group(1))
                if not versions:
                    return self.error(404, 40401, "Subject not found")
                id = versions[-1]
                return self.answer(200, {"subject": match.group(1), "id": id, "version": len(versions), "schema": schemas[id - 1][1]})
            if path == "/subjects":
                return self.answer(200, sorted(subjects))
        self.error(404, 404, "HTTP 404 Not Found")

server = ThreadingHTTPServer(("127.0.0.1", 0), Registry)
print("listening %d" % server.server_address[1], flush=True)
server.serve_forever()
"""#
}
