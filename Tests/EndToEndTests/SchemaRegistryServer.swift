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
/// With a certificate it serves HTTPS (Python's `ssl`; with `clientCA`, only to clients with a
/// certificate that CA signed), and the same registry over plain HTTP on a second port
/// (`plainURL`) for readers that are not given the test CA.
/// It prints `listening PORT [PLAIN-PORT]` when it accepts connections and `registered SUBJECT ID`
/// per registration.
final class SchemaRegistryServer {
    enum Mode: String {
        /// Accepts every schema that parses as JSON.
        case accept
        /// Answers 409 to every registration: the subject's compatibility refuses the schema.
        case incompatible
        /// Not a registry: accepts connections and never reads or answers (a hung registry).
        case silent
    }

    let process: ChildProcess
    let url: String
    /// Plain HTTP to the same registry (the `url` itself unless serving HTTPS).
    let plainURL: String

    init(mode: Mode = .accept, user: String? = nil, certificate: TestCertificates.Issued? = nil, clientCA: String? = nil) throws {
        process = try ChildProcess("/usr/bin/env", ["python3", "-c", Self.script, mode.rawValue, user ?? "",
                                                    certificate?.certificate ?? "", certificate?.key ?? "", clientCA ?? ""])
        guard process.wait(for: "\n", on: 0, timeout: 30),
              let line = process.text.stdout.split(separator: "\n").first, line.hasPrefix("listening ") else {
            throw RegistryFailed(message: process.text.stderr)
        }
        let ports = line.dropFirst("listening ".count).split(separator: " ")
        url = (certificate == nil ? "http" : "https") + "://127.0.0.1:" + ports[0]
        plainURL = "http://127.0.0.1:" + ports[ports.count - 1]
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
import base64, json, re, socket, ssl, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

mode, user, certificate, key, client_ca = sys.argv[1:6]

if mode == "silent":
    listener = socket.create_server(("127.0.0.1", 0))
    print("listening %d" % listener.getsockname()[1], flush=True)
    held = []
    while True:
        held.append(listener.accept()[0])

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
            # Over several lines, as a registry lists the compatibility differences.
            return self.error(409, 409, "Schema being registered is incompatible with an earlier schema for subject \"%s\",\r\n"
                              "details: [{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE'},\n\t{oldSchemaVersion: 1}]" % subject)
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
if not certificate:
    print("listening %d" % server.server_address[1], flush=True)
    server.serve_forever()
plain = ThreadingHTTPServer(("127.0.0.1", 0), Registry)
threading.Thread(target=plain.serve_forever, daemon=True).start()
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(certificate, key)
if client_ca:
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(client_ca)
server.socket = context.wrap_socket(server.socket, server_side=True)
print("listening %d %d" % (server.server_address[1], plain.server_address[1]), flush=True)
server.serve_forever()
"""#
}

/// A throwaway certificate authority and the server and client certificates it signs, made with
/// `openssl` in a temporary folder (EC P-256 keys, valid two days).
struct TestCertificates {
    /// A certificate's and its key's files.
    struct Issued {
        let certificate: String
        let key: String
    }

    let folder: TemporaryFolder
    /// The CA's certificate (PEM), what a client trusts.
    var ca: String { folder.file("ca.pem") }

    init() throws {
        folder = try TemporaryFolder()
        try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                          "-subj", "/CN=replay test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                          "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", folder.file("ca.key"), "-out", ca])
    }

    /// A certificate for `names` (subjectAltName entries, e.g. `IP:127.0.0.1`) and `usage`
    /// (`serverAuth`, `clientAuth`), signed by the CA.
    func issue(_ name: String, names: [String], usage: String = "serverAuth") throws -> Issued {
        let issued = Issued(certificate: folder.file("\(name).pem"), key: folder.file("\(name).key"))
        let request = folder.file("\(name).csr"), extensions = folder.file("\(name).ext")
        try "subjectAltName=\(names.joined(separator: ","))\nextendedKeyUsage=\(usage)\n".write(toFile: extensions, atomically: true, encoding: .utf8)
        try Self.openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=\(name)",
                          "-keyout", issued.key, "-out", request])
        try Self.openssl(["x509", "-req", "-in", request, "-CA", ca, "-CAkey", folder.file("ca.key"), "-CAcreateserial", "-days", "2",
                          "-extfile", extensions, "-out", issued.certificate])
        return issued
    }

    static func openssl(_ arguments: [String]) throws {
        let result = try ChildProcess("/usr/bin/env", ["openssl"] + arguments).finish()
        guard result.status == 0 else { throw OpenSSLFailed(message: result.stderr) }
    }

    struct OpenSSLFailed: Error { let message: String }
}
