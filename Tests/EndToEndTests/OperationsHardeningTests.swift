import Foundation
import Testing

/// What an operator met, tried again on the real binary: a config file from Windows, a metrics
/// port that clients could wear down, signals at startup and on a closed pipe, crashes that were
/// not JSON, secrets on the command line.
@Suite struct OperationsHardeningTests {
    static let secret = "S3cretXYZ-never-shown"

    func checkConfig(_ extra: [String]) throws -> ChildProcess.Result {
        try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-02", "--brokers", "k1:9092",
                              "--check-config"] + extra)
    }

    func write(_ bytes: [UInt8], in folder: TemporaryFolder) throws -> String {
        let path = folder.file("kafka.properties")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A file as the Kafka tools read it: Windows line ends, a byte-order mark, `:` and blanks as
    /// separators, `!` comments, continued lines and escapes.
    @Test func aPropertiesFileIsReadAsTheKafkaToolsReadIt() throws {
        let folder = try TemporaryFolder()
        let text = "\u{FEFF}client.id=replay-test\r\nsasl.password=\(Self.secret)\r\n! a comment\r\nsasl.username:svc\r\n"
            + "security.protocol SASL_PLAINTEXT\rsasl.mechanisms = \\\r\n    PL\\u0041IN\nlinger.ms=7   \n"
        let path = try write(Array(text.utf8), in: folder)
        let result = try checkConfig(["--kafka-config", path])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        for (property, line) in [("client.id=replay-test", 1), ("sasl.password=***", 2), ("sasl.username=svc", 4),
                                 ("security.protocol=SASL_PLAINTEXT", 5), ("sasl.mechanisms=PLAIN", 6), ("linger.ms=7", 8)] {
            #expect(lines.contains { $0.hasPrefix(property + " ") && $0.hasSuffix("(\(path):\(line))") }, "\(property): \(result.stdout)")
        }
        #expect(!(result.stdout + result.stderr).contains(Self.secret))
    }

    @Test(arguments: [
        ("linger.ms=7\u{7}\n", "line 1 holds a control character"),
        ("a\\u00zz=1\n", "line 1 has a malformed \\u escape"),
        ("sasl.password=\(secret)\nsecurity.protocol=\(secret)\r\n", "line 2: security.protocol: "),
    ])
    func aBadLineIsRefusedInOneLineWithoutItsText(text: String, phrase: String) throws {
        let folder = try TemporaryFolder()
        let path = try write(Array(text.utf8), in: folder)
        let result = try checkConfig(["--kafka-config", path])
        #expect(result.status == 1 && result.stderrLines.count == 1 && result.stderr.contains(phrase), "\(result.stderr)")
        #expect(!result.stderr.contains(Self.secret))
    }

    @Test func aHashInAValueIsPartOfItAndSaidSo() throws {
        let folder = try TemporaryFolder()
        let path = try write(Array("linger.ms=7 # trailing\nsasl.password=a #\(Self.secret)\n".utf8), in: folder)
        let result = try checkConfig(["--kafka-config", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("line 1: the value of linger.ms holds ' #', which starts a comment only at the start of a line"),
                "\(result.stderr)")
        #expect(result.stderr.contains("line 2: the value of sasl.password holds ' #'") && !(result.stderr + result.stdout).contains(Self.secret))
    }

    /// A FIFO with no writer, a device that never ends and a file too large are refused at once.
    @Test func onlyARegularFileOfBoundedSizeIsRead() throws {
        let folder = try TemporaryFolder()
        let fifo = folder.file("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let big = folder.file("big.properties")
        try Data(("client.id=" + String(repeating: "x", count: 2 << 20) + "\n").utf8).write(to: URL(fileURLWithPath: big))
        for (path, phrase) in [(fifo, "is not a regular file"), ("/dev/zero", "is not a regular file"), (big, "is larger than 1 MiB")] {
            let started = Date()
            let result = try checkConfig(["--kafka-config", path])
            #expect(result.status == 1 && result.stderrLines.count == 1 && result.stderr.contains(phrase), "\(path): \(result.stderr)")
            #expect(Date().timeIntervalSince(started) < 10, "\(path) took \(Date().timeIntervalSince(started)) s")
        }
    }

    /// Opens 1,100 idle connections to the metrics port of a run limited to 1,024 open files, then
    /// asks /healthz on a new one; prints the status, then whether idle and slow connections were
    /// closed, a 400's connection closed, a 405's Allow header, an HTTP/0.9 request answered.
    static let client = #"""
    import resource, socket, sys, time
    port = int(sys.argv[1])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))
    idle = []
    for _ in range(1100):
        s = socket.create_connection(("127.0.0.1", port))
        idle.append(s)
    def request(raw, timeout=5):
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        s.sendall(raw)
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return data, True
                data += chunk
        except socket.timeout:
            return data, False
    started = time.time()
    answer, _ = request(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    print("healthz", answer.split(b"\r\n")[0].decode(), round(time.time() - started, 2))
    closed = 0
    for s in idle:
        s.settimeout(20)
        try:
            if s.recv(1) == b"":
                closed += 1
        except OSError:
            closed += 1
    print("idle closed", closed)
    slow = socket.create_connection(("127.0.0.1", port))
    started, alive = time.time(), True
    for byte in b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n":
        try:
            slow.sendall(bytes([byte]))
        except OSError:
            alive = False
            break
        time.sleep(0.5)
    print("slow closed", not alive, round(time.time() - started, 1))
    answer, closed = request(b"BOGUS\x00\r\n\r\n")
    print("malformed", answer.split(b"\r\n")[0].decode(), "closed" if closed else "open")
    answer, _ = request(b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    print("post", answer.split(b"\r\n")[0].decode(), [line.decode() for line in answer.split(b"\r\n") if line.lower().startswith(b"allow:")])
    answer, closed = request(b"GET /healthz\r\n")
    print("http09", answer.split(b"\r\n")[0].decode() if answer else "no answer", "closed" if closed else "open")
    started = time.time()
    answer, closed = request(b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n", timeout=20)
    print("body", "closed" if closed else "open", round(time.time() - started))
    """#

    @Test func aThousandIdleConnectionsDoNotStopTheProbesNorTheRun() throws {
        let folder = try TemporaryFolder()
        // A container's common limit of open files.
        let child = try ChildProcess("/bin/sh", ["-c", "ulimit -n 1024 && exec \"$0\" \"$@\"", ReplayBinary.path, "--realtime", "--pace", "3600",
                                                 "--output-dir", folder.path, "--brokers", "none", "--metrics-port", "0"])
        defer { child.signal(SIGKILL); _ = child.finish() }
        let base = try #require(MetricsTests.address(of: child), "\(child.text.stderr)")
        let port = String(base.split(separator: ":").last!)
        let client = try ChildProcess("/usr/bin/env", ["python3", "-c", Self.client, port]).finish()
        #expect(client.status == 0, "\(client.stderr)")
        let lines = Dictionary(uniqueKeysWithValues: client.stdout.split(separator: "\n").map { line in
            (String(line.split(separator: " ")[0]), String(line.drop { $0 != " " }.dropFirst()))
        })
        #expect(lines["healthz"]?.hasPrefix("HTTP/1.1 200 OK") == true, "\(client.stdout)")
        #expect(lines["idle"] == "closed 1100", "\(client.stdout)")
        #expect(lines["slow"]?.hasPrefix("closed True") == true, "a request a byte every 0.5 s is closed: \(client.stdout)")
        #expect(lines["malformed"] == "HTTP/1.1 400 Bad Request closed", "\(client.stdout)")
        #expect(lines["post"] == "HTTP/1.1 405 Method Not Allowed ['Allow: GET, HEAD']", "\(client.stdout)")
        #expect(lines["http09"]?.hasSuffix("closed") == true && lines["http09"]?.hasPrefix("HTTP/1.1") == true, "\(client.stdout)")
        // A body announced and never sent: closed when the request's time is up.
        #expect(lines["body"].map { $0.hasPrefix("closed ") && Int($0.split(separator: " ")[1])! <= 10 } == true, "\(client.stdout)")
        // The run went on and stops cleanly: its checkpoints never ran out of file descriptors.
        #expect(try MetricsTests.probe(base, "/healthz") == "200 live")
        child.signal(SIGTERM)
        let result = child.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("Too many open files"))
    }

    @Test func anIPv6MetricsAddressIsWrittenInBrackets() throws {
        let folder = try TemporaryFolder()
        let child = try ReplayBinary.start(["--realtime", "--output-dir", folder.path, "--brokers", "none", "--metrics-port", "0",
                                            "--metrics-address", "::1"])
        defer { child.signal(SIGKILL); _ = child.finish() }
        #expect(child.wait(for: "/metrics (probes", on: 1), "\(child.text.stderr)")
        #expect(child.text.stderr.contains("serving metrics on http://[::1]:"), "\(child.text.stderr)")
    }

    /// SIGTERM while the run waits for a cluster that does not answer: it stops at once, says so,
    /// and exits 75 (a history is not done); with --log-format json every line is JSON.
    @Test(arguments: ["text", "json"])
    func aSignalDuringTheStartStopsTheRunAtOnceWithALine(format: String) throws {
        let (folder, before) = try generatedHistory(through: "2024-01-01")
        let child = try ReplayBinary.start(["--incremental", "--date", "2024-01-02", "-f", "--output-dir", folder.path,
                                            "--brokers", "127.0.0.1:1", "--log-format", format])
        // It waits up to 10 s for the cluster; a moment in, it is asked to stop.
        Thread.sleep(forTimeInterval: 1)
        let signalled = Date()
        child.signal(SIGTERM)
        let result = child.finish()
        #expect(Date().timeIntervalSince(signalled) < 3, "took \(Date().timeIntervalSince(signalled)) s to stop")
        #expect(result.status == 75, "\(result.stderr)")
        #expect(result.stderr.contains("stopped before the run started"), "\(result.stderr)")
        #expect(try folder.read("merchants.json") == before)
        if format == "json" {
            for line in result.stderrLines { #expect(line.hasPrefix("{") && line.hasSuffix("}"), "not JSON: \(line)") }
        }
    }

    @Test func sighupStopsLikeSigterm() throws {
        let folder = try TemporaryFolder()
        let arguments = ["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-03", "--output-dir", folder.path,
                         "--brokers", "none", "--pace", "20000"]
        let child = try ReplayBinary.start(arguments)
        #expect(child.wait(for: "progress:", on: 1))
        child.signal(SIGHUP)
        let stopped = child.finish()
        #expect(!stopped.killedBySignal && stopped.status == 75, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("stopped: run the same command again to continue"))
        #expect(try ReplayBinary.run(arguments.dropLast(2) + []).status == 0)
    }

    /// Its stderr a pipe whose reader is gone (a log shipper restarting): the run goes on and completes.
    @Test func aClosedPipeOnStderrDoesNotKillTheRun() throws {
        let folder = try TemporaryFolder()
        let script = #"""
        import subprocess, sys
        process = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        process.stdout.close()
        process.stderr.close()
        print(process.wait())
        """#
        let result = try ChildProcess("/usr/bin/env", ["python3", "-c", script, ReplayBinary.path, "--initial", "--start-date", "2024-01-01",
                                                        "--end-date", "2024-01-02", "--output-dir", folder.path, "--brokers", "none",
                                                        "--debug"]).finish()
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(result.stdout) \(result.stderr)")
        let state = try JSONSerialization.jsonObject(with: folder.read("merchants.json")) as! [String: Any]
        #expect(state["last_generated_date"] as? String == "2024-01-02" && state["unfinished_run"] == nil)
    }

    /// A crash under --log-format json is one JSON line, not a text backtrace; the process still
    /// ends by its signal, and the run continues from its last checkpoint.
    @Test(arguments: [SIGQUIT, SIGSEGV])
    func aCrashUnderJSONLogsIsOneJSONLine(signal: Int32) throws {
        let folder = try TemporaryFolder()
        let arguments = ["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-03", "--output-dir", folder.path,
                         "--brokers", "none", "--pace", "20000", "--log-format", "json"]
        let child = try ReplayBinary.start(arguments)
        #expect(child.wait(for: "progress", on: 1))
        child.signal(signal)
        let result = child.finish()
        #expect(result.killedBySignal && result.status == signal, "\(result.status): \(result.stderr)")
        for line in result.stderrLines { #expect(line.hasPrefix("{") && line.hasSuffix("}"), "not JSON: \(line)") }
        let last = try #require(result.stderrLines.last)
        let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
        #expect(object?["level"] as? String == "critical" && (object?["message"] as? String)?.contains("run the same command again") == true)
        #expect(try ReplayBinary.run(arguments.filter { $0 != "20000" && $0 != "--pace" }).status == 0)
    }

    @Test func aSecretGivenWithXIsWarnedAboutWithoutItsValue() throws {
        let folder = try TemporaryFolder()
        let result = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-01", "--output-dir", folder.path,
                                           "--brokers", "none", "-X", "sasl.password=\(Self.secret)"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("warning: -X sasl.password: a secret on the command line is visible to every user"), "\(result.stderr)")
        #expect(!result.stderr.contains(Self.secret))
    }

    @Test func theBrokerTakesALogFormat() throws {
        let first = try ReplayBinary.start(["broker", "--log-format", "json"])
        #expect(first.wait(for: "\n", on: 0))
        let taken = String(first.text.stdout.split(separator: ":").last!.prefix { $0.isNumber })
        let second = try ReplayBinary.run(["broker", "--port", taken, "--log-format", "json"])
        #expect(second.status == 1 && second.stderrLines.count == 1 && second.stderr.hasPrefix("{"), "\(second.stderr)")
        first.signal(SIGTERM)
        #expect(first.finish().status == 0)
    }
}
