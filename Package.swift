// swift-tools-version:6.0
// The data flow reads in the target list: Simulation → Events → Sinks (files, Kafka), with the
// Clock at the side, the run Engine between them and the CLI on top. Only the Kafka target imports the CRdKafka shim.
import PackageDescription

let package = Package(
    name: "replay",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "replay", targets: ["CLI"]),
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
    ],
    targets: [
        .target(name: "Simulation"),
        .target(name: "Events", dependencies: ["Simulation"]),
        .target(name: "Sinks", dependencies: ["Simulation", "Events"]),
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(name: "Kafka", dependencies: ["CRdKafka", "Events", "Sinks", .product(name: "Logging", package: "swift-log")]),
        .target(name: "Clock", dependencies: ["Simulation"]),
        // The Kafka-protocol gateway in front of `replay broker`'s mock cluster, for Java clients.
        .target(
            name: "BrokerGateway",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The Schema Registry's REST client (AsyncHTTPClient, TLS through NIOSSL's BoringSSL); only the CLI uses it.
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
        .target(name: "Engine", dependencies: ["Simulation", "Events", "Sinks", "Clock", .product(name: "HeapModule", package: "swift-collections")]),
        .target(
            name: "Telemetry",
            dependencies: [
                "Engine", "Sinks", "Simulation",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "CLI",
            dependencies: [
                "Simulation", "Events", "Sinks", "Kafka", "Clock", "Engine", "Telemetry", "SchemaRegistry", "BrokerGateway",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "SimulationTests", dependencies: [
            "Simulation", "Events", "Sinks", "Clock", .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "ClockTests", dependencies: ["Clock", "Simulation"]),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka"]),
        .testTarget(name: "GatewayTests", dependencies: ["BrokerGateway", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Simulation", "Events", "Sinks", "Clock"]),
        .testTarget(name: "EndToEndTests", dependencies: [
            "Simulation", "Events", "Sinks", "Kafka", .product(name: "PropertyBased", package: "swift-property-based"),
        ], exclude: ["Golden"]),
    ]
)
