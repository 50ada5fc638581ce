import Foundation

/// What deploy/'s YAML files say about each `replay` container, read by PyYAML (a real YAML
/// parser, as Kubernetes and Compose are) through a small Python script that prints JSON.
struct DeployManifests: Decodable {
    /// A container or Compose service that runs the replay image.
    struct Run: Decodable {
        struct SecretMount: Decodable {
            let mountPath: String
            /// File name in the mount → content (the Secret's keys, decoded).
            let files: [String: String]
        }

        struct Probe: Decodable {
            let path: String
            /// A port number or a container port's name, as written.
            let port: String
        }

        /// `file: Kind/name/container`.
        let source: String
        /// `StatefulSet`, `Job`, … or `compose`.
        let kind: String
        /// The container's `command[0]`, if it replaces the image's ENTRYPOINT.
        let entrypoint: String?
        /// The binary's arguments, `$(VAR)` expanded from the container's env as Kubernetes does.
        let args: [String]
        /// Environment variables set from a Secret (credentials must not be there).
        let secretEnv: [String]
        /// Plain environment values (including those from a ConfigMap).
        let env: [String: String]
        let secretMounts: [SecretMount]
        /// Where volumes are mounted (PVCs, claim templates, Compose volumes).
        let volumeTargets: [String]
        /// Kubernetes: named container ports. Compose: none.
        let namedPorts: [String: Int]
        /// Kubernetes: every containerPort. Compose: the container side of every published port.
        let containerPorts: [Int]
        /// `liveness`, `readiness`, `startup` → its httpGet.
        let probes: [String: Probe]
        let annotations: [String: String]
        /// targetPorts of the Services that select this pod, as written.
        let serviceTargetPorts: [String]
        /// An Indexed Job's completions and parallelism (each pod gets JOB_COMPLETION_INDEX); nil otherwise.
        let indexedCompletions: Int?
        let parallelism: Int?
    }

    /// Every YAML file under deploy/, relative to it.
    let files: [String]
    let runs: [Run]

    static let script = #"""
    import base64, json, pathlib, re, shlex, sys
    import yaml

    deploy = pathlib.Path(sys.argv[1])
    files = sorted(p for p in deploy.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml"))
    docs = []
    for path in files:
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict):
                docs.append((str(path.relative_to(deploy)), doc))

    configmaps = {d["metadata"]["name"]: d.get("data") or {} for _, d in docs if d.get("kind") == "ConfigMap"}
    secrets = {}
    for _, d in docs:
        if d.get("kind") == "Secret":
            data = {k: base64.b64decode(v).decode() for k, v in (d.get("data") or {}).items()}
            data.update(d.get("stringData") or {})
            secrets[d["metadata"]["name"]] = data
    services = [d for _, d in docs if d.get("kind") == "Service"]

    runs = []
    for file, d in docs:
        kind = d.get("kind")
        if kind not in ("StatefulSet", "Deployment", "DaemonSet", "Job", "CronJob"):
            continue
        spec = d["spec"]
        template = spec["jobTemplate"]["spec"]["template"] if kind == "CronJob" else spec["template"]
        pod, meta = template["spec"], template.get("metadata") or {}
        labels = meta.get("labels") or {}
        volumes = {v["name"]: v for v in pod.get("volumes") or []}
        claims = {t["metadata"]["name"] for t in spec.get("volumeClaimTemplates") or []}
        selected = [s for s in services
                    if s["spec"].get("selector") and all(labels.get(k) == v for k, v in s["spec"]["selector"].items())]
        for c in pod.get("containers") or []:
            env, secret_env = {}, []
            for e in c.get("env") or []:
                source = e.get("valueFrom") or {}
                if "value" in e:
                    env[e["name"]] = str(e["value"])
                elif "configMapKeyRef" in source:
                    ref = source["configMapKeyRef"]
                    env[e["name"]] = str(configmaps[ref["name"]][ref["key"]])
                elif "secretKeyRef" in source:
                    secret_env.append(e["name"])
            for source in c.get("envFrom") or []:
                if "secretRef" in source:
                    secret_env.append("envFrom " + source["secretRef"]["name"])
                if "configMapRef" in source:
                    env.update({k: str(v) for k, v in configmaps[source["configMapRef"]["name"]].items()})
            expand = lambda a: re.sub(r"(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)", lambda m: env.get(m.group(1), m.group(0)), str(a))
            command = [str(a) for a in c.get("command") or []]
            args = [expand(a) for a in command[1:] + [str(a) for a in c.get("args") or []]]
            secret_mounts, targets = [], []
            for m in c.get("volumeMounts") or []:
                volume = volumes.get(m["name"], {})
                if "secret" in volume:
                    data = secrets.get(volume["secret"]["secretName"], {})
                    items = volume["secret"].get("items")
                    files_in = {i["path"]: data.get(i["key"], "") for i in items} if items else dict(data)
                    secret_mounts.append({"mountPath": m["mountPath"], "files": files_in})
                elif m["name"] in claims or "persistentVolumeClaim" in volume:
                    targets.append(m["mountPath"])
            ports = c.get("ports") or []
            probes = {}
            for name in ("liveness", "readiness", "startup"):
                http = (c.get(name + "Probe") or {}).get("httpGet")
                if http:
                    probes[name] = {"path": http.get("path", ""), "port": str(http.get("port"))}
            runs.append({
                "source": f"{file}: {kind}/{d['metadata']['name']}/{c['name']}", "kind": kind,
                "entrypoint": command[0] if command else None, "args": args,
                "secretEnv": secret_env, "env": env, "secretMounts": secret_mounts, "volumeTargets": targets,
                "namedPorts": {p["name"]: p["containerPort"] for p in ports if "name" in p},
                "containerPorts": [p["containerPort"] for p in ports],
                "probes": probes, "annotations": {k: str(v) for k, v in (meta.get("annotations") or {}).items()},
                "serviceTargetPorts": [str(p.get("targetPort", p.get("port"))) for s in selected for p in s["spec"].get("ports") or []],
                "indexedCompletions": spec.get("completions") if spec.get("completionMode") == "Indexed" else None,
                "parallelism": spec.get("parallelism"),
            })

    for file, d in docs:
        if "kind" in d or not isinstance(d.get("services"), dict):
            continue
        for name, service in d["services"].items():
            if "build" not in service and not str(service.get("image", "")).startswith("replay"):
                continue
            entrypoint = service.get("entrypoint")
            if isinstance(entrypoint, str):
                entrypoint = shlex.split(entrypoint)
            command = service.get("command") or []
            if isinstance(command, str):
                command = shlex.split(command)
            published = []
            for p in service.get("ports") or []:
                if isinstance(p, dict):
                    published.append(int(p["target"]))
                else:
                    published.append(int(str(p).split("/")[0].split(":")[-1]))
            targets = []
            for v in service.get("volumes") or []:
                targets.append(v["target"] if isinstance(v, dict) else str(v).split(":")[1])
            runs.append({
                "source": f"{file}: service {name}", "kind": "compose",
                "entrypoint": entrypoint[0] if entrypoint else None,
                "args": [str(a) for a in (entrypoint or [])[1:] + command],
                "secretEnv": [], "env": {k: str(v) for k, v in (service.get("environment") or {}).items()}
                    if isinstance(service.get("environment"), dict) else {},
                "secretMounts": [], "volumeTargets": targets, "namedPorts": {}, "containerPorts": published,
                "probes": {}, "annotations": {}, "serviceTargetPorts": [], "indexedCompletions": None, "parallelism": None,
            })

    print(json.dumps({"files": [str(p.relative_to(deploy)) for p in files], "runs": runs}))
    """#

    static func load(from deploy: String) throws -> DeployManifests {
        try DeployTools.requirePyYAML()
        let result = try DeployTools.run("python3", ["-c", script, deploy])
        guard result.status == 0 else { throw DeployCheckFailed("reading the manifests failed: \(result.stderr)") }
        return try JSONDecoder().decode(DeployManifests.self, from: Data(result.stdout.utf8))
    }
}

/// The real tools the deploy checks run (python3, swift, ldd, dpkg, apt-cache), found on PATH.
enum DeployTools {
    static func run(_ tool: String, _ arguments: [String]) throws -> ChildProcess.Result {
        try ChildProcess("/usr/bin/env", [tool] + arguments).finish()
    }

    /// nil when python3 imports `yaml`, installing PyYAML with pip first if it is missing; else why not.
    static let pyYAMLProblem: String? = {
        func importable() -> Bool { (try? run("python3", ["-c", "import yaml"]).status) == 0 }
        if importable() { return nil }
        guard let install = try? run("python3", ["-m", "pip", "install", "--quiet", "pyyaml"]) else {
            return "python3 is not on PATH: the deploy checks parse YAML with Python 3 and PyYAML"
        }
        if install.status == 0 && importable() { return nil }
        return "PyYAML is missing and `python3 -m pip install --quiet pyyaml` failed (\(install.status)): \(install.stderr)"
    }()

    static func requirePyYAML() throws {
        if let problem = pyYAMLProblem { throw DeployCheckFailed(problem) }
    }
}

struct DeployCheckFailed: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// deploy/Dockerfile read as Docker does: comments dropped, continued lines joined, global ARG
/// defaults substituted into FROM, one stage per FROM.
struct Dockerfile {
    struct Stage {
        let image: String
        let name: String?
        /// (INSTRUCTION, rest of the line).
        var instructions: [(String, String)] = []

        func runs() -> [String] { instructions.filter { $0.0 == "RUN" }.map(\.1) }

        /// Every shell command of its RUN lines (split at `&&`, `;`, `||`), as words.
        func commands() -> [[String]] {
            runs().flatMap { run in
                run.replacingOccurrences(of: "||", with: "&&").replacingOccurrences(of: ";", with: "&&")
                    .components(separatedBy: "&&")
                    .map { $0.split(whereSeparator: \.isWhitespace).map(String.init) }
            }
        }

        /// The packages of its `apt-get install` commands.
        var aptPackages: [String] {
            commands().flatMap { words -> [String] in
                guard let index = words.firstIndex(of: "install"), index > 0, words[index - 1] == "apt-get" else { return [] }
                return words[(index + 1)...].filter { !$0.hasPrefix("-") }
            }
        }

        /// The options of its `swift build` command (not the `--show-bin-path` one).
        var swiftBuildOptions: [String]? {
            for words in commands() {
                guard let index = words.indices.first(where: { words[$0] == "swift" && words.indices.contains($0 + 1) && words[$0 + 1] == "build" })
                else { continue }
                let options = Array(words[(index + 2)...])
                if !options.contains(where: { $0.contains("--show-bin-path") }) { return options }
            }
            return nil
        }
    }

    let stages: [Stage]

    init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var logical: [String] = [], current = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("#") { continue }
            if trimmed.hasSuffix("\\") {
                current += trimmed.dropLast() + " "
            } else {
                current += trimmed
                if !current.trimmingCharacters(in: .whitespaces).isEmpty { logical.append(current) }
                current = ""
            }
        }
        var globals: [String: String] = [:], stages: [Stage] = []
        for line in logical {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            let instruction = parts[0].uppercased(), rest = parts.count > 1 ? parts[1] : ""
            if instruction == "FROM" {
                var words = rest.split(separator: " ").map(String.init).filter { !$0.hasPrefix("--") }
                for (name, value) in globals {
                    words = words.map { $0.replacingOccurrences(of: "${\(name)}", with: value).replacingOccurrences(of: "$\(name)", with: value) }
                }
                let name = words.count >= 3 && words[1].uppercased() == "AS" ? words[2] : nil
                stages.append(Stage(image: words[0], name: name))
            } else if stages.isEmpty, instruction == "ARG" {
                let pair = rest.split(separator: "=", maxSplits: 1).map(String.init)
                if pair.count == 2 { globals[pair[0]] = pair[1] }
            } else if !stages.isEmpty {
                stages[stages.count - 1].instructions.append((instruction, rest))
            }
        }
        self.stages = stages
    }

    /// The last stage: the image that ships.
    var runtime: Stage { stages[stages.count - 1] }

    /// The stage the runtime copies the binary from (`COPY --from=NAME`).
    var build: Stage? {
        let from = runtime.instructions.filter { $0.0 == "COPY" }.compactMap { instruction in
            instruction.1.split(separator: " ").first { $0.hasPrefix("--from=") }.map { String($0.dropFirst("--from=".count)) }
        }
        return stages.first { stage in stage.name.map(from.contains) ?? false }
    }

    /// The ports of EXPOSE lines in the runtime stage.
    var exposedPorts: [Int] {
        runtime.instructions.filter { $0.0 == "EXPOSE" }.flatMap { $0.1.split(separator: " ") }
            .compactMap { Int($0.split(separator: "/")[0]) }
    }
}
