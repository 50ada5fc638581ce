import ArgumentParser
import Runner
#if canImport(Glibc)
import Glibc
#endif

/// Where the metrics and health endpoints are served.
struct MetricsOptions: ParsableArguments {
    @Option(name: .customLong("metrics-port"), parsing: .unconditional,
            help: "Serve Prometheus metrics on /metrics and probes on /healthz and /readyz at this port (0: any free port).")
    var port: Int?

    @Option(name: .customLong("metrics-address"), help: "Address the metrics server listens on (0.0.0.0 in a container).")
    var address = "127.0.0.1"

    @Option(name: .customLong("metrics-linger"), parsing: .unconditional,
            help: "Seconds to keep serving the final metrics after a run completes, so that a scraper sees them (SIGTERM ends it).")
    var linger: Double = 0

    /// The options as the library's settings; nil without `--metrics-port`.
    var settings: MetricsSettings? { port.map { MetricsSettings(address: address, port: $0, linger: linger) } }

    func check() throws {
        if let port, !(0...65_535).contains(port) { throw ValidationError("--metrics-port must be from 0 to 65535, got \(port)") }
        guard Self.isAddress(address) else {
            throw ValidationError("--metrics-address must be an IP address (127.0.0.1, 0.0.0.0, ::1, ::) or localhost, got '\(address)'")
        }
        guard linger >= 0, linger.isFinite else { throw ValidationError("--metrics-linger must be 0 or more seconds") }
    }

    /// An IPv4 or IPv6 literal, or `localhost`.
    private static func isAddress(_ text: String) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        return text == "localhost" || inet_pton(AF_INET, text, &buffer) == 1 || inet_pton(AF_INET6, text, &buffer) == 1
    }
}
