import NIOCore
import NIOPosix

/// One client's connection through the gateway, with its own connection to the upstream broker (on
/// the same event loop, so that no state here is shared across threads).
///
/// Kafka answers a connection's requests in order, so the gateway keeps one entry per request
/// still to be answered, in order: one it answers itself is written as soon as every answer before
/// it is out; one it forwarded takes the next upstream answer, rewritten as the entry says.
final class ClientConnection: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// How an upstream answer is rewritten for the client.
    enum Rewrite {
        case none
        /// Metadata asked at v2 for a client at `version`; `unknown`: topics it named that do not exist.
        case metadata(version: Int16, unknown: [String])
        case findCoordinator(version: Int16)
    }

    /// An answer owed to the client, in request order.
    enum Pending {
        case local(ByteBuffer)
        case forwarded(correlationId: Int32, Rewrite)
    }

    private let shared: GatewayContext
    private var pending: [Pending] = []
    private var upstream: (any Channel)?
    /// Requests read before the upstream connection was up.
    private var waiting: [ByteBuffer] = []
    private var client: ChannelHandlerContext?

    init(context: GatewayContext) { shared = context }

    func channelActive(context: ChannelHandlerContext) {
        client = context
        let handler = UpstreamAnswers(connection: self)
        ClientBootstrap(group: context.eventLoop)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(KafkaFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(to: shared.upstream)
            .whenComplete { [self] result in
                switch result {
                case let .success(channel):
                    // The client left while this connection was made: nothing to relay.
                    guard client != nil else { return channel.close(promise: nil) }
                    upstream = channel
                    channel.closeFuture.whenComplete { _ in context.close(promise: nil) }
                    for request in waiting { channel.write(KafkaFrameDecoder.framed(request), promise: nil) }
                    waiting.removeAll()
                    channel.flush()
                case .failure:
                    context.close(promise: nil)
                }
            }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        upstream?.close(promise: nil)
        client = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            try handle(request: unwrapInboundIn(data), context: context)
        } catch {
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    /// Answers, translates or passes on one request frame.
    private func handle(request frame: ByteBuffer, context: ChannelHandlerContext) throws {
        var rest = frame
        let header = try RequestHeader.read(&rest)
        switch ApiKey(rawValue: header.apiKey) {
        case .apiVersions:
            var answer = ByteBuffer()
            answer.writeWireInt32(header.correlationId)  // ApiVersions answers with header v0, even when flexible
            var body = shared.table.response(to: header.apiVersion)
            answer.writeBuffer(&body)
            pending.append(.local(answer))
            writeReadyAnswers()
        case .metadata where header.apiVersion <= ApiVersionsTable.metadataMax:
            let clientId = try RequestHeader.readRest(&rest, flexible: false)
            let asked = try MetadataRequest(body: rest, version: header.apiVersion)
            var topics = asked.topics
            var unknown: [String] = []
            if let names = asked.topics {
                // Created here with the broker's partition count, so that the broker never creates one with its own;
                // a name that cannot be created is unknown.
                if asked.allowAutoTopicCreation { shared.catalog.create(names) }
                unknown = names.filter { !shared.catalog.exists($0) }
                topics = names.filter { shared.catalog.exists($0) }
            }
            var upstreamRequest = ByteBuffer()
            header.write(into: &upstreamRequest, apiKey: .metadata, version: 2, clientId: clientId)
            var body = MetadataRequest.upstreamBody(topics: topics)
            upstreamRequest.writeBuffer(&body)
            forward(upstreamRequest, answer: .forwarded(correlationId: header.correlationId,
                                                        .metadata(version: header.apiVersion, unknown: unknown)))
        case .findCoordinator:
            forward(frame, answer: .forwarded(correlationId: header.correlationId, .findCoordinator(version: header.apiVersion)))
        case .produce:
            _ = try RequestHeader.readRest(&rest, flexible: false)
            let acks = try ProduceAcks.of(rest, version: header.apiVersion)
            forward(frame, answer: acks == 0 ? nil : .forwarded(correlationId: header.correlationId, .none))
        default:
            forward(frame, answer: .forwarded(correlationId: header.correlationId, .none))
        }
    }

    /// Sends a request upstream; `answer` is what its answer becomes (nil: none is coming).
    private func forward(_ request: ByteBuffer, answer: Pending?) {
        if let answer { pending.append(answer) }
        if let upstream {
            upstream.writeAndFlush(KafkaFrameDecoder.framed(request), promise: nil)
        } else {
            waiting.append(request)
        }
    }

    /// An answer from upstream: the next forwarded entry's, rewritten.
    func upstreamAnswered(_ frame: ByteBuffer) throws {
        guard let client, case let .forwarded(correlationId, rewrite)? = pending.first else {
            throw WireError(description: "an answer no request is waiting for")
        }
        pending.removeFirst()
        var body = frame
        guard try body.wireInt32() == correlationId else { throw WireError(description: "an answer out of order") }
        let answer: ByteBuffer
        switch rewrite {
        case .none:
            answer = frame
        case let .metadata(version, unknown):
            var response = try MetadataResponse(v2: body)
            response.addUnknown(unknown)
            answer = Self.answer(correlationId, response.body(version: version, host: shared.host, port: shared.advertisedPort))
        case let .findCoordinator(version):
            answer = Self.answer(correlationId, try FindCoordinatorResponse.rewritten(body, version: version, host: shared.host,
                                                                                      port: shared.advertisedPort))
        }
        client.write(wrapOutboundOut(KafkaFrameDecoder.framed(answer)), promise: nil)
        writeReadyAnswers()
    }

    /// The upstream connection failed: the client's goes too.
    func upstreamFailed() { client?.close(promise: nil) }

    /// Writes the answers the gateway made itself that nothing forwarded is ahead of.
    private func writeReadyAnswers() {
        guard let client else { return }
        while case let .local(answer)? = pending.first {
            pending.removeFirst()
            client.write(wrapOutboundOut(KafkaFrameDecoder.framed(answer)), promise: nil)
        }
        client.flush()
    }

    private static func answer(_ correlationId: Int32, _ body: ByteBuffer) -> ByteBuffer {
        var answer = ByteBuffer()
        answer.writeWireInt32(correlationId)
        var body = body
        answer.writeBuffer(&body)
        return answer
    }
}

/// The upstream side of a `ClientConnection`: hands it each answer.
private final class UpstreamAnswers: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private let connection: ClientConnection

    init(connection: ClientConnection) { self.connection = connection }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            try connection.upstreamAnswered(unwrapInboundIn(data))
        } catch {
            context.close(promise: nil)
            connection.upstreamFailed()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
        connection.upstreamFailed()
    }
}
