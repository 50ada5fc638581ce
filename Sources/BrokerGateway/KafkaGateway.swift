import NIOCore
import NIOPosix

/// The topics behind the gateway, which it may create (with the broker's partition count) when a
/// client's Metadata request lets it.
public protocol TopicCatalog: Sendable {
    func exists(_ topic: String) -> Bool
    /// Creates those of `topics` that do not exist yet.
    func create(_ topics: [String])
}

/// A Kafka-protocol gateway on `host:port` in front of one upstream broker (librdkafka's mock
/// cluster in `replay broker`). Every client connection gets its own connection upstream; requests
/// go through unchanged but for what the upstream answers wrongly or not at all for current Java
/// clients (see `ApiVersionsTable`): ApiVersions is answered here, Metadata is translated to the
/// broker's v2, and every broker and coordinator address in the answers is the gateway's own, so
/// that clients never go around it. A Metadata request that lets the broker create topics has them
/// created by `catalog` first (with the broker's partition count); one that does not gets
/// UNKNOWN_TOPIC_OR_PARTITION for a topic that does not exist.
public final class KafkaGateway: Sendable {
    public let host: String
    public let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel

    /// Starts listening; first asks the upstream broker (`upstreamHost:upstreamPort`) which API versions it serves.
    public init(host: String = "127.0.0.1", port: Int, upstreamHost: String, upstreamPort: Int, catalog: any TopicCatalog) throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let context: GatewayContext
        do {
            let upstream = try SocketAddress.makeAddressResolvingHost(upstreamHost, port: upstreamPort)
            let table = ApiVersionsTable(upstream: try Self.upstreamVersions(at: upstream, on: group))
            context = GatewayContext(upstream: upstream, table: table, catalog: catalog, host: host, advertisedPort: Int32(port))
            channel = try ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(KafkaFrameDecoder()))
                        try channel.pipeline.syncOperations.addHandler(ClientConnection(context: context))
                    }
                }
                .bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw GatewayError(description: "cannot listen on \(host):\(port): \(error)")
        }
        self.host = host
        self.port = channel.localAddress?.port ?? port
        // Asked for any free port, the gateway learns its own only now, before a client can know it.
        context.advertisedPort = Int32(self.port)
    }

    public func shutDown() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    /// The upstream's ApiVersions table, asked at v0 (every broker answers it).
    private static func upstreamVersions(at address: SocketAddress, on group: EventLoopGroup) throws -> [ApiVersionsTable.Range] {
        let answer = group.next().makePromise(of: ByteBuffer.self)
        let connection = try ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(KafkaFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(SingleFrame(answer: answer))
                }
            }
            .connect(to: address).wait()
        defer { connection.close(promise: nil) }
        var request = ByteBuffer()
        RequestHeader(apiKey: ApiKey.apiVersions.rawValue, apiVersion: 0, correlationId: 1)
            .write(into: &request, apiKey: .apiVersions, version: 0, clientId: "replay-gateway")
        try connection.writeAndFlush(KafkaFrameDecoder.framed(request)).wait()
        var frame = try answer.futureResult.wait()
        _ = try frame.wireInt32()  // correlation id
        return try ApiVersionsTable.readUpstream(&frame)
    }
}

/// A failure to start the gateway, as one line.
public struct GatewayError: Error, CustomStringConvertible {
    public let description: String
}

/// What every connection of one gateway shares. `advertisedPort` changes once, right after the
/// gateway binds a port it asked the kernel for.
final class GatewayContext: @unchecked Sendable {
    let upstream: SocketAddress
    let table: ApiVersionsTable
    let catalog: any TopicCatalog
    let host: String
    var advertisedPort: Int32

    init(upstream: SocketAddress, table: ApiVersionsTable, catalog: any TopicCatalog, host: String, advertisedPort: Int32) {
        self.upstream = upstream
        self.table = table
        self.catalog = catalog
        self.host = host
        self.advertisedPort = advertisedPort
    }
}

/// Length-prefixed Kafka frames (int32 size, then that many bytes), at most 100 MiB each.
struct KafkaFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    static let limit = 100 << 20

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return .needMoreData }
        guard size >= 0, Int(size) <= Self.limit else { throw WireError(description: "a frame of \(size) bytes") }
        guard buffer.readableBytes >= 4 + Int(size) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: Int(size))!))
        return .continue
    }

    /// `body` with its size in front.
    static func framed(_ body: ByteBuffer) -> ByteBuffer {
        var frame = ByteBuffer()
        frame.writeWireInt32(Int32(body.readableBytes))
        var body = body
        frame.writeBuffer(&body)
        return frame
    }
}

/// Takes the first frame a connection receives.
private final class SingleFrame: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private let answer: EventLoopPromise<ByteBuffer>

    init(answer: EventLoopPromise<ByteBuffer>) { self.answer = answer }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { answer.succeed(unwrapInboundIn(data)) }

    func errorCaught(context: ChannelHandlerContext, error: Error) { answer.fail(error) }

    func channelInactive(context: ChannelHandlerContext) { answer.fail(WireError(description: "the broker closed the connection")) }
}
