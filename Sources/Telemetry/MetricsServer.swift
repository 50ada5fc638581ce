import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus

/// Serves `/metrics` (Prometheus text format), `/healthz` and `/readyz` over HTTP/1.1 on SwiftNIO,
/// until `shutDown`.
public final class MetricsServer: @unchecked Sendable {
    /// The address and port it listens on (the port the kernel chose when asked for 0).
    public let address: String
    public let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel

    /// Binds `host:port`; `refresh` runs before each `/metrics` and `/readyz` answer (to sample what is polled).
    public init(host: String, port: Int, registry: PrometheusCollectorRegistry, health: RunHealth,
                refresh: @escaping @Sendable () -> Void) throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let routes = Routes(registry: registry, health: health, refresh: refresh)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(HTTPRequestHandler(routes: routes))
                }
            }
        do {
            channel = try bootstrap.bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw MetricsServerError(description: "cannot serve metrics on \(host):\(port): \(error)")
        }
        address = host
        self.port = channel.localAddress?.port ?? port
    }

    public func shutDown() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

/// A failure to start the server, as one line.
public struct MetricsServerError: Error, CustomStringConvertible {
    public let description: String
}

/// What each path answers.
struct Routes: Sendable {
    let registry: PrometheusCollectorRegistry
    let health: RunHealth
    let refresh: @Sendable () -> Void

    func answer(method: HTTPMethod, path: String) -> (status: HTTPResponseStatus, contentType: String, body: [UInt8]) {
        guard method == .GET || method == .HEAD else { return (.methodNotAllowed, "text/plain", Array("GET only\n".utf8)) }
        switch path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path {
        case "/metrics":
            refresh()
            return (.ok, "text/plain; version=0.0.4; charset=utf-8", registry.emitToBuffer())
        case "/healthz":
            return probe(health.liveness)
        case "/readyz":
            refresh()  // the brokers' state, even when nothing scrapes /metrics
            return probe(health.readiness)
        default:
            return (.notFound, "text/plain", Array("not found: /metrics, /healthz, /readyz\n".utf8))
        }
    }

    private func probe(_ state: (ok: Bool, reason: String)) -> (status: HTTPResponseStatus, contentType: String, body: [UInt8]) {
        (state.ok ? .ok : .serviceUnavailable, "text/plain", Array((state.reason + "\n").utf8))
    }
}

/// Answers each request of a connection from `Routes`.
final class HTTPRequestHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: Routes
    private var request: HTTPRequestHead?

    init(routes: Routes) { self.routes = routes }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            let answer = routes.answer(method: head.method, path: head.uri)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: answer.contentType)
            headers.add(name: "Content-Length", value: String(answer.body.count))
            let response = HTTPResponseHead(version: head.version, status: answer.status, headers: headers)
            context.write(wrapOutboundOut(.head(response)), promise: nil)
            if head.method != .HEAD {
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: answer.body)))), promise: nil)
            }
            let keepAlive = head.isKeepAlive
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if !keepAlive { context.close(promise: nil) }
            }
        }
    }
}
