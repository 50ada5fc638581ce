import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
#if canImport(Glibc)
import Glibc
#endif

/// Serves `/metrics` (Prometheus text format), `/healthz` and `/readyz` over HTTP/1.1 on SwiftNIO,
/// until `shutDown`.
///
/// Clients cannot wear it down (`ConnectionLimits`): a whole request must arrive within a few
/// seconds of the connection or of the last answer, with a body of at most 64 KiB, an idle
/// connection is closed, and at most `limits.connections` are open at once; past that, the oldest
/// connection waiting for a request is closed to make room (or the new one, when none waits), so
/// a probe is answered however many idle sockets others hold open. A request the parser cannot
/// read gets a 400 and the connection is closed.
public final class MetricsServer: @unchecked Sendable {
    /// The address and port it listens on (the port the kernel chose when asked for 0).
    public let address: String
    public let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel

    /// Binds `host:port`; `refresh` runs before each `/metrics` and `/readyz` answer (to sample what
    /// is polled). `::` listens on IPv6 and IPv4; where the kernel has no IPv6 it falls back to `0.0.0.0`.
    public init(host: String, port: Int, registry: PrometheusCollectorRegistry, health: RunHealth, limits: ConnectionLimits = ConnectionLimits(),
                refresh: @escaping @Sendable () -> Void) throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let routes = Routes(registry: registry, health: health, refresh: refresh)
        let connections = OpenConnections(limit: limits.connections)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                connections.opened(channel)
                return channel.pipeline.configureHTTPServerPipeline(withErrorHandling: false).flatMap {
                    channel.pipeline.addHandler(HTTPRequestHandler(routes: routes, limits: limits, connections: connections))
                }.flatMap {
                    channel.pipeline.addHandler(RequestLineCheck(), position: .first)
                }
            }
        var bound = host
        do {
            channel = try bootstrap.bind(host: host, port: port).wait()
        } catch let error as IOError where host == "::" && error.errnoCode == EAFNOSUPPORT {
            bound = "0.0.0.0"
            do {
                channel = try bootstrap.bind(host: bound, port: port).wait()
            } catch {
                try? group.syncShutdownGracefully()
                throw MetricsServerError(description: "cannot serve metrics on \(Self.hostPort(bound, port)): \(error)")
            }
        } catch {
            try? group.syncShutdownGracefully()
            throw MetricsServerError(description: "cannot serve metrics on \(Self.hostPort(host, port)): \(error)")
        }
        address = bound
        self.port = channel.localAddress?.port ?? port
    }

    /// `host:port`, with an IPv6 address in brackets (`[::1]:9464`).
    public static func hostPort(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    public func shutDown() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

/// How long a client may take and how many connections it may hold.
public struct ConnectionLimits: Sendable {
    /// Seconds from a connection (or the last answer on it) to the end of the next request.
    public var request: Double
    /// Seconds a connection may stay without a request after an answer before it is closed.
    public var idle: Double
    /// Connections open at once.
    public var connections: Int

    /// The largest request body read (the server's paths take none).
    public var body = 65_536

    public init(request: Double = 5, idle: Double = 15, connections: Int = 64) {
        self.request = request
        self.idle = idle
        self.connections = connections
    }
}

/// A failure to start the server, as one line.
public struct MetricsServerError: Error, CustomStringConvertible {
    public let description: String
}

/// The open connections, oldest first, and whether each is serving a request. Used on the
/// server's one event loop only.
final class OpenConnections: @unchecked Sendable {
    private let limit: Int
    private var open: [(channel: any Channel, busy: Bool)] = []

    init(limit: Int) { self.limit = limit }

    /// A new connection: past the limit, the oldest one waiting for a request is closed, or the new one when none waits.
    func opened(_ channel: any Channel) {
        open.append((channel, false))
        channel.closeFuture.whenComplete { [weak self] _ in self?.open.removeAll { $0.channel === channel } }
        guard open.count > limit else { return }
        let idle = open.firstIndex { !$0.busy && $0.channel !== channel }
        (idle.map { open[$0].channel } ?? channel).close(promise: nil)
    }

    func setBusy(_ channel: any Channel, _ busy: Bool) {
        if let index = open.firstIndex(where: { $0.channel === channel }) { open[index].busy = busy }
    }
}

/// What each path answers.
struct Routes: Sendable {
    let registry: PrometheusCollectorRegistry
    let health: RunHealth
    let refresh: @Sendable () -> Void

    struct Answer {
        var status: HTTPResponseStatus
        var contentType = "text/plain"
        var body: [UInt8]
        var headers: [(String, String)] = []
    }

    func answer(method: HTTPMethod, path: String) -> Answer {
        guard method == .GET || method == .HEAD else {
            return Answer(status: .methodNotAllowed, body: Array("GET or HEAD only\n".utf8), headers: [("Allow", "GET, HEAD")])
        }
        switch path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path {
        case "/metrics":
            refresh()
            return Answer(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: registry.emitToBuffer())
        case "/healthz":
            return probe(health.liveness)
        case "/readyz":
            refresh()  // the brokers' state, even when nothing scrapes /metrics
            return probe(health.readiness)
        default:
            return Answer(status: .notFound, body: Array("not found: /metrics, /healthz, /readyz\n".utf8))
        }
    }

    private func probe(_ state: (ok: Bool, reason: String)) -> Answer {
        Answer(status: state.ok ? .ok : .serviceUnavailable, body: Array((state.reason + "\n").utf8))
    }
}

/// Looks at a connection's first request line before the HTTP decoder does: one without an HTTP
/// version (HTTP/0.9, or not HTTP at all), or none within 8 KiB, gets a 400 and the connection is
/// closed (the decoder would wait for headers that never come). Then it steps aside.
final class RequestLineCheck: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var buffered: ByteBuffer?
    private static let limit = 8_192

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if buffered == nil { buffered = bytes } else { buffered!.writeBuffer(&bytes) }
        guard let received = buffered else { return }
        let view = received.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if received.readableBytes > Self.limit { reject(context) }
            return
        }
        guard String(decoding: view[view.startIndex..<newline], as: UTF8.self).contains(" HTTP/") else { return reject(context) }
        buffered = nil
        context.fireChannelRead(wrapInboundOut(received))
        context.pipeline.syncOperations.removeHandler(self, promise: nil)
    }

    private func reject(_ context: ChannelHandlerContext) {
        buffered = nil
        let answer = context.channel.allocator.buffer(string: "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        context.writeAndFlush(wrapOutboundOut(answer)).whenComplete { _ in context.close(promise: nil) }
    }
}

/// Answers each request of a connection from `Routes`; closes the connection when a request head
/// is late, when it stays idle, and after a request it cannot read (with a 400).
final class HTTPRequestHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: Routes
    private let limits: ConnectionLimits
    private let connections: OpenConnections
    private var request: HTTPRequestHead?
    private var bodyBytes = 0
    private var deadline: Scheduled<Void>?

    init(routes: Routes, limits: ConnectionLimits, connections: OpenConnections) {
        self.routes = routes
        self.limits = limits
        self.connections = connections
    }

    func handlerAdded(context: ChannelHandlerContext) {
        closeUnlessRequested(within: limits.request, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            connections.setBusy(context.channel, true)
            request = head
            bodyBytes = 0
        case let .body(bytes):
            bodyBytes += bytes.readableBytes
            if bodyBytes > limits.body { context.close(promise: nil) }
        case .end:
            deadline?.cancel()
            deadline = nil
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    /// A request the parser cannot read (malformed, HTTP/0.9, too large): 400, then close.
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        deadline?.cancel()
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: "0")
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .badRequest, headers: headers))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let answer = routes.answer(method: head.method, path: head.uri)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: answer.contentType)
        headers.add(name: "Content-Length", value: String(answer.body.count))
        for (name, value) in answer.headers { headers.add(name: name, value: value) }
        // A request older than HTTP/1.0 is answered in 1.1, once.
        let version = head.version.major >= 1 ? head.version : .http1_1
        let keepAlive = head.isKeepAlive && head.version.major >= 1
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: answer.status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: answer.body)))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [self] _ in
            connections.setBusy(context.channel, false)
            if keepAlive { closeUnlessRequested(within: limits.idle, context: context) } else { context.close(promise: nil) }
        }
    }

    /// Closes the connection unless a whole request has arrived `seconds` from now.
    private func closeUnlessRequested(within seconds: Double, context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = context.eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) { context.close(promise: nil) }
    }
}
