import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An in-process stand-in for a Confluent Schema Registry (none can be installed on these
/// machines), written from the Schema Registry API reference (docs.confluent.io, "Schema Registry
/// API Reference"), not from any registry's code: it records every request and answers each with
/// what the test's `answer` returns (a status and a JSON body), or never answers (nil), as a hung
/// registry would.
final class StandInRegistry: Sendable {
    /// A request as the registry received it.
    struct Request: Sendable {
        let method: String
        let uri: String
        let headers: [String: String]
        let body: Data

        /// The body as a JSON object.
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    }

    typealias Answer = @Sendable (Request) -> (status: Int, body: String)?

    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let channel: any Channel
    private let received = RequestLog()

    init(answer: @escaping Answer) throws {
        let received = self.received
        let record: @Sendable (Request) -> Void = { request in received.requests.withLock { $0.append(request) } }
        channel = try ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(RegistryHandler(answer: answer, record: record))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
    }

    deinit {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    var url: String { "http://127.0.0.1:\(channel.localAddress!.port!)" }

    var requests: [Request] { received.requests.withLock { $0 } }
}

/// The requests a stand-in received, appended on its event loop and read by the test.
private final class RequestLog: Sendable {
    let requests = Mutex<[StandInRegistry.Request]>([])
}

/// Reads one request at a time and answers it as the registry's `answer` says.
private final class RegistryHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let answer: StandInRegistry.Answer
    private let record: @Sendable (StandInRegistry.Request) -> Void
    private var head: HTTPRequestHead?
    private var body = Data()

    init(answer: @escaping StandInRegistry.Answer, record: @escaping @Sendable (StandInRegistry.Request) -> Void) {
        self.answer = answer
        self.record = record
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(requestHead):
            head = requestHead
            body = Data()
        case var .body(bytes):
            body.append(contentsOf: bytes.readBytes(length: bytes.readableBytes) ?? [])
        case .end:
            guard let head else { return }
            let request = StandInRegistry.Request(method: head.method.rawValue, uri: head.uri,
                                                  headers: Dictionary(head.headers.map { ($0.name.lowercased(), $0.value) }) { $1 },
                                                  body: body)
            record(request)
            guard let (status, text) = answer(request) else { return }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/vnd.schemaregistry.v1+json")
            headers.add(name: "Content-Length", value: "\(text.utf8.count)")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers))),
                          promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: text)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
