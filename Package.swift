// swift-tools-version:6.0
// The data flow reads in the target list: Simulation → Records → Checkpoints → BatchFiles (files) and
// KafkaClient → KafkaPublishing (Kafka), with the SimulatedClock at the side, the run Engine between them,
// the Runner (the library API: a request in, a run and its summary out) over them and the Commands on top,
// which the executables call: replay (CLI), and replay-bench and replay-fault-injection, which are never shipped.
// Only KafkaClient imports the CRdKafka shim (and DevelopmentBroker, librdkafka's mock cluster, and
// KafkaBaseline, the benchmark's raw producer). The guides are a DocC catalog in Sources/Engine/Engine.docc
// (`swift package generate-documentation --target Engine`).
import PackageDescription

let package = Package(
    name: "replay",
    // Linux only (Glibc, librdkafka from the distribution's packages): no Apple platform is declared.
    products: [
        .executable(name: "replay", targets: ["CLI"]),
        // `./replay bench`: the benchmark, its own executable, never shipped.
        .executable(name: "replay-bench", targets: ["Bench"]),
        // The `replay` command line with REPLAY_KILL_AT, for the tests that kill a run at a chosen commit step; never shipped.
        .executable(name: "replay-fault-injection", targets: ["FaultInjection"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.65.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .target(name: "Simulation"),
        .target(name: "SimulatedClock", dependencies: ["Simulation"]),
        .target(name: "Records", dependencies: ["Simulation"]),
        .target(name: "Checkpoints", dependencies: ["Simulation", "Records"]),
        .target(name: "BatchFiles", dependencies: ["Simulation", "Records", "Checkpoints"]),
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(name: "KafkaClient", dependencies: ["CRdKafka", "Records", .product(name: "Logging", package: "swift-log")]),
        // The benchmark's ceiling: pre-encoded messages produced straight through librdkafka, with KafkaClient's own
        // produce arguments; linked into replay-bench only.
        .target(name: "KafkaBaseline", dependencies: ["CRdKafka", "KafkaClient", "Records"]),
        // librdkafka's mock cluster in this process: the embedded broker of `--brokers embedded`, `replay broker`'s and the tests'.
        .target(name: "DevelopmentBroker", dependencies: ["CRdKafka", "KafkaClient"]),
        .target(name: "KafkaPublishing", dependencies: ["KafkaClient", "Records", "Checkpoints", "Simulation"]),
        // The Kafka-protocol gateway in front of `replay broker`'s mock cluster, for Java clients.
        .target(
            name: "BrokerGateway",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The Schema Registry's REST client (AsyncHTTPClient, TLS through NIOSSL's BoringSSL); only the Runner uses it.
        .target(
            name: "SchemaRegistry",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(name: "Engine", dependencies: ["Simulation", "Records", "Checkpoints", "SimulatedClock", .product(name: "HeapModule", package: "swift-collections")]),
        .target(
            name: "Telemetry",
            dependencies: [
                "Engine", "Checkpoints", "Records", "Simulation",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The library API: a typed request in, a run from the folder's lock to its summary out.
        .target(
            name: "Runner",
            dependencies: [
                "Simulation", "Records", "Checkpoints", "BatchFiles", "KafkaClient", "DevelopmentBroker", "KafkaPublishing", "SimulatedClock", "Engine",
                "Telemetry", "SchemaRegistry", .product(name: "Logging", package: "swift-log"), .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The commands (argument parsing, printing, signals, exit statuses) over the Runner; the executables' entry points call them.
        .target(
            name: "Commands",
            dependencies: [
                "Simulation", "Records", "Checkpoints", "KafkaClient", "DevelopmentBroker", "SimulatedClock", "Engine", "Runner", "BrokerGateway",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "CLI", dependencies: ["Commands"]),
        .executableTarget(name: "FaultInjection", dependencies: ["Commands", "Engine"]),
        .executableTarget(
            name: "Bench",
            dependencies: [
                "Simulation", "Records", "Checkpoints", "BatchFiles", "KafkaClient", "DevelopmentBroker", "KafkaBaseline", "SimulatedClock", "Engine", "Runner",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "SimulationTests", dependencies: [
            "Simulation", "Records", "Checkpoints", "BatchFiles", "SimulatedClock", .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "SimulatedClockTests", dependencies: ["SimulatedClock", "Simulation"]),
        .testTarget(name: "KafkaClientTests", dependencies: ["KafkaClient", "DevelopmentBroker"]),
        .testTarget(name: "KafkaPublishingTests", dependencies: ["KafkaPublishing", "KafkaClient", "Records", "Simulation"]),
        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry", "Checkpoints", "Records", "Simulation"]),
        .testTarget(name: "SchemaRegistryTests", dependencies: [
            "SchemaRegistry", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .testTarget(name: "GatewayTests", dependencies: ["BrokerGateway", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "RunnerTests", dependencies: ["Runner", "Engine", "Records", "Checkpoints", "Simulation", "SimulatedClock", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Simulation", "Records", "Checkpoints", "BatchFiles", "SimulatedClock"]),
        .testTarget(name: "EndToEndTests", dependencies: [
            "Simulation", "Records", "Checkpoints", "KafkaClient", "DevelopmentBroker", "KafkaPublishing", .product(name: "PropertyBased", package: "swift-property-based"),
        ], exclude: ["Golden"]),
]
)
