import Foundation
import Testing

/// deploy/ checked without a container engine: the YAML parses, every replay command line in it
/// is accepted by the real binary, its probes and ports match what the binary serves, and the
/// image's runtime packages provide every shared library a release build like the Dockerfile's needs.
@Suite struct DeployTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let deploy = root + "/deploy"

    // MARK: 1. YAML

    @Test func everyYAMLFileParses() throws {
        try DeployTools.requirePyYAML()
        let files = try FileManager.default.subpathsOfDirectory(atPath: Self.deploy)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        #expect(files.contains("compose.yaml"))
        #expect(files.contains { $0.hasPrefix("kubernetes/") })
        for file in files {
            let result = try DeployTools.run("python3", ["-c", "import yaml,sys; list(yaml.safe_load_all(open(sys.argv[1])))",
                                                         Self.deploy + "/" + file])
            #expect(result.status == 0, "deploy/\(file) is not valid YAML: \(result.stderr)")
        }
    }

    /// The Docker build context (what `deploy/Dockerfile.dockerignore` lets through) is a package
    /// SwiftPM can load: every declared target's folder is in it.
    @Test func theDockerBuildContextIsALoadablePackage() throws {
        let ignore = try String(contentsOfFile: Self.deploy + "/Dockerfile.dockerignore", encoding: .utf8)
        let rules = ignore.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        #expect(rules.first == "*", "the context is a whitelist")
        let context = try TemporaryFolder()
        for rule in rules.dropFirst() {
            #expect(rule.hasPrefix("!"), "\(rule)")
            let name = String(rule.dropFirst())
            let source = Self.root + "/" + name
            if FileManager.default.fileExists(atPath: source) { try FileManager.default.copyItem(atPath: source, toPath: context.file(name)) }
        }
        let described = try DeployTools.run("swift", ["package", "describe", "--package-path", context.path])
        #expect(described.status == 0, "\(described.stderr)")
        #expect(described.stdout.contains("Name: replay"), "\(described.stdout.prefix(300))")
    }

    // MARK: 2. Command lines

    /// `args` with the Secret mounts pointing at files in `folder` that hold the example Secret's
    /// contents, and `--output-dir` at a path in `folder` that does not exist yet.
    static func localArguments(of run: DeployManifests.Run, in folder: TemporaryFolder, writeSecrets: Bool = true) throws
        -> (arguments: [String], output: String) {
        var arguments = run.args
        for (index, mount) in run.secretMounts.enumerated() {
            let directory = folder.file("secret-\(index)")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            if writeSecrets {
                for (name, content) in mount.files {
                    try Data(content.utf8).write(to: URL(fileURLWithPath: directory + "/" + name))
                }
            }
            arguments = arguments.map { $0.hasPrefix(mount.mountPath + "/") ? directory + $0.dropFirst(mount.mountPath.count) : $0 }
        }
        let output = folder.file("output")
        if let index = arguments.firstIndex(of: "--output-dir"), arguments.indices.contains(index + 1) {
            arguments[index + 1] = output
        }
        return (arguments, output)
    }

    static func value(of option: String, in arguments: [String]) -> String? {
        guard let index = arguments.firstIndex(of: option), arguments.indices.contains(index + 1) else { return nil }
        return arguments[index + 1]
    }

    @Test func everyReplayCommandLineIsAcceptedByTheBinary() throws {
        let manifests = try DeployManifests.load(from: Self.deploy)
        let kinds = manifests.runs.map(\.kind)
        #expect(kinds.filter { $0 == "compose" }.count == 2, "the live feed and the history replay services")
        #expect(kinds.contains("StatefulSet") && kinds.contains("Job"), "\(kinds)")

        for run in manifests.runs {
            #expect(run.entrypoint == nil || run.entrypoint!.hasSuffix("/replay"), "\(run.source) replaces the entrypoint")
            #expect(!run.args.contains { $0.contains("$(") }, "\(run.source): an unexpanded $(VAR) in \(run.args)")
            // The files go to a volume (a re-run on it continues the run), in JSON logs.
            let outputDir = Self.value(of: "--output-dir", in: run.args)
            #expect(outputDir != nil && run.volumeTargets.contains(outputDir!),
                    "\(run.source): --output-dir \(outputDir ?? "missing") is not a mounted volume (\(run.volumeTargets))")
            #expect(Self.value(of: "--log-format", in: run.args) == "json", "\(run.source)")
            if run.kind != "compose" {
                // Credentials come from the Secret file only: never in args or env.
                let config = Self.value(of: "--kafka-config", in: run.args)
                #expect(config != nil && run.secretMounts.contains { config!.hasPrefix($0.mountPath + "/") },
                        "\(run.source): --kafka-config \(config ?? "missing") is not in a Secret mount")
                #expect(run.secretEnv.isEmpty, "\(run.source): env from a Secret: \(run.secretEnv)")
                let secretWords = ["password", "secret", "sasl.username", "ssl.key"]
                #expect(!(run.args + Array(run.env.keys) + Array(run.env.values)).contains { word in
                    secretWords.contains { word.lowercased().contains($0) }
                }, "\(run.source): a credential in args or env")
            }

            let folder = try TemporaryFolder()
            let (arguments, output) = try Self.localArguments(of: run, in: folder)
            // An Indexed Job's pods each get JOB_COMPLETION_INDEX; `--shard auto/N` must match its completions.
            let indices: [Int?] = run.indexedCompletions.map { Array(0..<$0) } ?? [nil]
            if let shard = Self.value(of: "--shard", in: run.args) {
                #expect(shard == "auto/\(run.indexedCompletions ?? -1)" && run.parallelism == run.indexedCompletions,
                        "\(run.source): --shard \(shard) with completions \(run.indexedCompletions.map(String.init) ?? "none (not Indexed)")")
            }
            for index in indices {
                let environment = index.map { ["JOB_COMPLETION_INDEX": "\($0)"] } ?? [:]
                let result = try ReplayBinary.run(arguments + ["--check-config"], environment: environment)
                #expect(result.status == 0,
                        "\(run.source): \(environment) replay \(arguments.joined(separator: " ")) --check-config exited \(result.status): \(result.stderr)")
                if let index, let count = run.indexedCompletions {
                    #expect(result.stdout.contains("shard: \(index)/\(count) (from JOB_COMPLETION_INDEX)"), "\(run.source): \(result.stdout)")
                }
            }
            #expect(!FileManager.default.fileExists(atPath: output), "\(run.source): --check-config created the output folder")
        }

        // The check reads the --kafka-config file: without the Secret's file it fails.
        let withSecret = try #require(manifests.runs.first { !$0.secretMounts.isEmpty })
        let folder = try TemporaryFolder()
        let (arguments, _) = try Self.localArguments(of: withSecret, in: folder, writeSecrets: false)
        let missing = try ReplayBinary.run(arguments + ["--check-config"])
        #expect(missing.status != 0, "--check-config accepted a missing --kafka-config file")
    }

    // MARK: 3. Probes and ports

    @Test func probesAndPortsMatchWhatTheBinaryServes() throws {
        let manifests = try DeployManifests.load(from: Self.deploy)
        let exposed = try Dockerfile(path: Self.deploy + "/Dockerfile").exposedPorts
        for run in manifests.runs {
            guard let portText = Self.value(of: "--metrics-port", in: run.args) else {
                Issue.record("\(run.source): no --metrics-port")
                continue
            }
            let port = try #require(Int(portText))
            #expect(Self.value(of: "--metrics-address", in: run.args) == "::",
                    "\(run.source): metrics must listen on :: (IPv6 and IPv4) to be reachable from outside the container")
            #expect(exposed.contains(port), "deploy/Dockerfile EXPOSE \(exposed) lacks \(port)")
            #expect(run.containerPorts.contains(port), "\(run.source): port \(port) not declared/published: \(run.containerPorts)")
            guard run.kind != "compose" else { continue }

            #expect(run.namedPorts["metrics"] == port, "\(run.source): containerPort named metrics \(run.namedPorts)")
            #expect(run.annotations["prometheus.io/scrape"] == "true", "\(run.source)")
            #expect(run.annotations["prometheus.io/port"] == String(port), "\(run.source)")
            #expect(run.annotations["prometheus.io/path"] == "/metrics", "\(run.source)")
            func resolved(_ port: String) -> Int? { Int(port) ?? run.namedPorts[port] }
            if run.kind == "StatefulSet" {
                #expect(run.probes["liveness"] != nil && run.probes["readiness"] != nil, "\(run.source): \(run.probes)")
            }
            for (kind, probe) in run.probes {
                let expected = kind == "readiness" ? "/readyz" : "/healthz"
                #expect(probe.path == expected, "\(run.source): \(kind) probe on \(probe.path)")
                #expect(resolved(probe.port) == port, "\(run.source): \(kind) probe on port \(probe.port)")
            }
            for target in run.serviceTargetPorts {
                #expect(resolved(target) == port, "\(run.source): a Service targets port \(target)")
            }
        }

        // And the binary serves them: the live feed's own arguments (files only, on a free local
        // port) answer 200 on both probe paths.
        let live = try #require(manifests.runs.first { $0.kind == "StatefulSet" })
        let folder = try TemporaryFolder()
        var (arguments, _) = try Self.localArguments(of: live, in: folder)
        let free = try DeployTools.run("python3", ["-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"])
        let localPort = free.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        for (option, value) in [("--brokers", "none"), ("--metrics-port", localPort), ("--metrics-address", "127.0.0.1")] {
            if let index = arguments.firstIndex(of: option) { arguments[index + 1] = value }
        }
        if let index = arguments.firstIndex(of: "--kafka-config") { arguments.removeSubrange(index...(index + 1)) }
        let child = try ReplayBinary.start(arguments)
        defer { child.signal(SIGKILL); _ = child.finish() }
        for path in [live.probes["liveness"]?.path ?? "/healthz", live.probes["readiness"]?.path ?? "/readyz"] {
            let poll = try DeployTools.run("python3", ["-c", Self.poller, "http://127.0.0.1:\(localPort)\(path)", String(child.pid)])
            #expect(poll.stdout.hasPrefix("200"), "GET \(path): \(poll.stdout) \(poll.stderr) / replay: \(child.text.stderr)")
        }
    }

    /// GETs a URL until it answers 200 (at most 60 s, and only while process `pid` runs); prints
    /// the last status and body.
    static let poller = #"""
    import sys, time, urllib.request, urllib.error
    def running(pid):
        try:
            return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False
    deadline, last = time.time() + 60, "no answer"
    while time.time() < deadline and running(sys.argv[2]):
        try:
            response = urllib.request.urlopen(sys.argv[1], timeout=5)
            print(response.status, response.read().decode().strip())
            sys.exit(0)
        except urllib.error.HTTPError as error:
            last = f"{error.code} {error.read().decode().strip()}"
        except OSError as error:
            last = str(error)
        time.sleep(0.2)
    print(last)
    """#

    // MARK: 4. Hardening

    /// What the manifests say about privileges and exposure, read by PyYAML: no service-account
    /// token, a NetworkPolicy that lets only Prometheus reach the metrics port, a Job that neither
    /// takes a stopped shard for done nor lives forever, Compose services without privileges.
    static let hardeningScript = #"""
    import json, pathlib, sys, yaml
    deploy = pathlib.Path(sys.argv[1])
    out = {"pods": {}, "policies": [], "job": None, "compose": {}}
    for path in sorted(deploy.rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if not isinstance(doc, dict):
                continue
            kind = doc.get("kind")
            if kind in ("StatefulSet", "Job"):
                pod = doc["spec"]["template"]["spec"]
                out["pods"][kind] = {"token": pod.get("automountServiceAccountToken"), "restart": pod.get("restartPolicy")}
            if kind == "Job":
                spec = doc["spec"]
                rules = spec.get("podFailurePolicy", {}).get("rules", [])
                out["job"] = {
                    "ignoresExit": sorted(v for r in rules if r["action"] == "Ignore" for v in r.get("onExitCodes", {}).get("values", [])),
                    "ignoresDisruption": any(r["action"] == "Ignore" and any(c.get("type") == "DisruptionTarget"
                                             for c in r.get("onPodConditions", [])) for r in rules),
                    "deadline": spec.get("activeDeadlineSeconds"), "ttl": spec.get("ttlSecondsAfterFinished"),
                    "perIndex": spec.get("backoffLimitPerIndex")}
            if kind == "NetworkPolicy":
                spec = doc["spec"]
                out["policies"].append({"selects": spec["podSelector"].get("matchLabels", {}), "types": spec.get("policyTypes", []),
                                        "ports": [p["port"] for rule in spec.get("ingress", []) for p in rule.get("ports", [])],
                                        "open": any(not rule.get("from") for rule in spec.get("ingress", []))})
            if "services" in doc:
                for name, service in doc["services"].items():
                    if str(service.get("image", "")).startswith("replay"):
                        out["compose"][name] = {"readOnly": service.get("read_only"), "capDrop": service.get("cap_drop"),
                                                "options": service.get("security_opt"), "memory": service.get("mem_limit")}
    print(json.dumps(out))
    """#

    @Test func theManifestsGrantNothingTheRunDoesNotNeed() throws {
        try DeployTools.requirePyYAML()
        let result = try DeployTools.run("python3", ["-c", Self.hardeningScript, Self.deploy])
        try #require(result.status == 0, "\(result.stderr)")
        let facts = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        let pods = facts["pods"] as! [String: [String: Any]]
        #expect(pods.keys.sorted() == ["Job", "StatefulSet"])
        for (kind, pod) in pods { #expect(pod["token"] as? Bool == false, "\(kind) mounts a service-account token") }
        let job = try #require(facts["job"] as? [String: Any])
        #expect(pods["Job"]?["restart"] as? String == "Never", "podFailurePolicy needs restartPolicy Never")
        #expect(job["ignoresExit"] as? [Int] == [75] && job["ignoresDisruption"] as? Bool == true, "\(job)")
        #expect((job["deadline"] as? Int ?? 0) > 0 && (job["ttl"] as? Int ?? 0) > 0 && (job["perIndex"] as? Int ?? 0) > 0, "\(job)")
        let policies = facts["policies"] as! [[String: Any]]
        #expect(policies.contains { ($0["selects"] as? [String: String])?["app.kubernetes.io/name"] == "replay"
            && ($0["types"] as? [String])?.contains("Ingress") == true && $0["ports"] as? [Int] == [9464] && $0["open"] as? Bool == false },
                "no NetworkPolicy limits who reaches replay's metrics port: \(policies)")
        let compose = facts["compose"] as! [String: [String: Any]]
        #expect(compose.count == 2)
        for (name, service) in compose {
            #expect(service["readOnly"] as? Bool == true && service["capDrop"] as? [String] == ["ALL"], "\(name): \(service)")
            #expect((service["options"] as? [String])?.contains("no-new-privileges:true") == true && service["memory"] != nil, "\(name): \(service)")
        }
        let dockerfile = try String(contentsOfFile: Self.deploy + "/Dockerfile", encoding: .utf8)
        #expect(dockerfile.contains("ENV SWIFT_BACKTRACE=enable=no"), "the image prints text backtraces")
    }

    // MARK: 5. The image's shared libraries

    /// The packages owning `path` (dpkg -S), trying the other side of the /usr merge and the
    /// symlink's target, since ldd names /lib/… for files dpkg registered under /usr/lib/… and back.
    static func owners(of path: String) throws -> [String]? {
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        var candidates: [String] = []
        for candidate in [path, real] {
            candidates.append(candidate)
            candidates.append(candidate.hasPrefix("/usr/") ? String(candidate.dropFirst(4)) : "/usr" + candidate)
        }
        for candidate in candidates {
            let result = try DeployTools.run("dpkg", ["-S", candidate])
            guard result.status == 0, let line = result.stdout.split(separator: "\n").first,
                  let colon = line.range(of: ": /") else { continue }
            return line[..<colon.lowerBound].split(separator: ",").map {
                String($0.trimmingCharacters(in: .whitespaces).split(separator: ":")[0])
            }
        }
        return nil
    }

    /// `packages` and everything they depend on (Depends and Pre-Depends, every alternative),
    /// as `apt-get install --no-install-recommends` would bring them.
    static func dependencyClosure(of packages: [String]) throws -> Set<String> {
        let result = try DeployTools.run("apt-cache", ["depends", "--recurse", "--no-recommends", "--no-suggests",
                                                       "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"] + packages)
        guard result.status == 0 else { throw DeployCheckFailed("apt-cache depends failed: \(result.stderr)") }
        return Set(result.stdout.split(separator: "\n").filter { !$0.hasPrefix(" ") }.map {
            String($0.trimmingCharacters(in: CharacterSet(charactersIn: "<>")).split(separator: ":")[0])
        })
    }

    /// `apt-cache show`, after one `apt-get update` if the package lists are missing or old.
    static func aptShow(_ packages: [String]) throws -> ChildProcess.Result {
        let first = try DeployTools.run("apt-cache", ["show"] + packages)
        if first.status == 0 || getuid() != 0 { return first }
        _ = try DeployTools.run("apt-get", ["update", "-qq"])
        return try DeployTools.run("apt-cache", ["show"] + packages)
    }

    @Test(.timeLimit(.minutes(20)))
    func theRuntimeImageProvidesEverySharedLibrary() throws {
        let osRelease = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)) ?? ""
        try #require(osRelease.contains("VERSION_CODENAME=bookworm"),
                     "this check maps libraries to packages with this machine's dpkg, which must be Debian 12 (bookworm) like the image")
        let dockerfile = try Dockerfile(path: Self.deploy + "/Dockerfile")
        #expect(dockerfile.runtime.image == "debian:bookworm-slim")
        let build = try #require(dockerfile.build, "the runtime stage copies from no build stage")
        #expect(build.image.hasPrefix("swift:6.") && build.image.hasSuffix("-bookworm"), "\(build.image)")
        #expect(Set(build.aptPackages).isSuperset(of: ["librdkafka-dev", "pkg-config"]), "\(build.aptPackages)")
        let options = try #require(build.swiftBuildOptions, "no swift build in the build stage")
        #expect(Set(options).isSuperset(of: ["-c", "release", "--product", "replay", "--static-swift-stdlib"]), "\(options)")
        let runtimePackages = dockerfile.runtime.aptPackages
        #expect(!runtimePackages.isEmpty)

        // The runtime packages are Debian bookworm packages.
        let show = try Self.aptShow(runtimePackages)
        #expect(show.status == 0, "apt-cache show \(runtimePackages): \(show.stderr)")
        for package in runtimePackages {
            #expect(show.stdout.contains("Package: \(package)\n"), "\(package) is not a Debian package")
            let policy = try DeployTools.run("apt-cache", ["policy", package])
            #expect(policy.stdout.contains(" bookworm"), "\(package) has no bookworm source: \(policy.stdout)")
        }

        // A binary built the way the Dockerfile builds it (REPLAY_STATIC_BINARY: one built already).
        let binary: String
        if let prebuilt = ProcessInfo.processInfo.environment["REPLAY_STATIC_BINARY"] {
            binary = prebuilt
        } else {
            let swiftBuild = options + ["--package-path", Self.root, "--scratch-path", Self.root + "/.build-static"]
            let started = Date()
            let built = try DeployTools.run("swift", ["build"] + swiftBuild)
            try #require(built.status == 0, "swift build \(swiftBuild.joined(separator: " ")) failed: \(built.stderr)\(built.stdout.suffix(4000))")
            print("DeployTests: swift build \(options.joined(separator: " ")) took \(Int(Date().timeIntervalSince(started))) s")
            let binPath = try DeployTools.run("swift", ["build"] + swiftBuild + ["--show-bin-path"])
            binary = binPath.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + "/replay"
        }

        // What the dynamic linker loads (ldd: the whole tree) and what the binary names itself.
        let ldd = try DeployTools.run("ldd", [binary])
        try #require(ldd.status == 0, "ldd \(binary): \(ldd.stderr)")
        #expect(!ldd.stdout.contains("not found"), "\(ldd.stdout)")
        var libraries: [String: String] = [:]   // soname → path
        for line in ldd.stdout.split(separator: "\n") {
            let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            if words.count >= 3, words[1] == "=>", words[2].hasPrefix("/") {
                libraries[words[0]] = words[2]
            } else if let path = words.first, path.hasPrefix("/") {
                libraries[URL(fileURLWithPath: path).lastPathComponent] = path
            }
        }
        let readelf = try DeployTools.run("readelf", ["-d", binary])
        let needed = readelf.stdout.split(separator: "\n").filter { $0.contains("(NEEDED)") }.compactMap { line in
            line.split(separator: "[").last?.split(separator: "]").first.map(String.init)
        }
        #expect(!needed.isEmpty && !libraries.isEmpty)
        #expect(!libraries.keys.contains { $0.hasPrefix("libswift") || $0.hasPrefix("libFoundation") || $0.hasPrefix("libdispatch") },
                "the Swift runtime is not linked statically: \(libraries.keys.sorted())")

        // The base image's packages: Essential and Priority: required (what debootstrap's minbase,
        // the root of bookworm-slim, installs) plus apt, and all they depend on.
        let installed = try DeployTools.run("dpkg-query", ["-W", "-f=${Package} ${Essential} ${Priority}\n"])
        let seeds = installed.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            .filter { $0.count == 3 && ($0[1] == "yes" || $0[2] == "required") }.map { $0[0] }
        let base = try Self.dependencyClosure(of: seeds + ["apt"])
        let fromRuntime = try Self.dependencyClosure(of: runtimePackages)

        var findings: [String] = [], packagesOfLibraries: Set<String> = []
        for (soname, path) in libraries.sorted(by: { $0.key < $1.key }) {
            guard let owners = try Self.owners(of: path) else {
                Issue.record("\(soname) (\(path)) belongs to no Debian package")
                continue
            }
            packagesOfLibraries.formUnion(owners)
            let origin = owners.contains { runtimePackages.contains($0) } ? "listed"
                : owners.contains { base.contains($0) } ? "base image" : owners.contains { fromRuntime.contains($0) } ? "dependency" : "MISSING"
            findings.append("\(soname) → \(owners.joined(separator: ",")) (\(origin))")
            #expect(origin != "MISSING", "\(soname) (\(owners)) is neither in the runtime stage's apt-get list, nor in bookworm-slim, nor a dependency of them")
            if needed.contains(soname) {
                #expect(owners.contains { runtimePackages.contains($0) || base.contains($0) },
                        "the binary links \(soname) (\(owners)) directly: list its package in the runtime stage")
            }
        }
        print("DeployTests: runtime packages \(runtimePackages); libraries:\n  " + findings.joined(separator: "\n  "))
        // Nothing else: every listed package provides a library the binary loads, except the CA bundle.
        for package in runtimePackages where package != "ca-certificates" {
            #expect(packagesOfLibraries.contains(package), "the runtime stage installs \(package), which provides no library the binary loads")
        }
    }
}
