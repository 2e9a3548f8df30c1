import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A minimal OTLP/HTTP JSON trace receiver on loopback: what `meshctl bench pipeline
/// --tracing` exports to, and what tests read the exported traces from. It keeps every span
/// it was sent (with the exporting process's `service.name`); it is no collector.
public final class OTLPReceiver: Sendable {
    /// A span as received, with the service that exported it.
    public struct ReceivedSpan: Sendable, Equatable {
        public var service: String
        public var span: OTLPJSON.Span
    }

    public let port: Int
    public var endpoint: String { "http://127.0.0.1:\(port)" }
    private let channel: any Channel
    private let store: Store

    /// Listens on 127.0.0.1 at `port` (0: a free one; read ``port``).
    public init(port: Int = 0) async throws {
        let store = Store()
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(store: store))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        self.port = channel.localAddress?.port ?? port
        self.store = store
    }

    /// Every span received so far, in arrival order.
    public var spans: [ReceivedSpan] { store.spans }
    /// Requests received so far (any path).
    public var requestCount: Int { store.requests }

    public func close() async throws {
        try await channel.close()
    }

    final class Store: @unchecked Sendable {
        private let lock = NSLock()
        private var received: [ReceivedSpan] = []
        private var requestTotal = 0

        var spans: [ReceivedSpan] { lock.withLock { received } }
        var requests: Int { lock.withLock { requestTotal } }

        /// Records one request; `false` when it was not a trace export this receiver reads.
        func record(path: String, body: Data) -> Bool {
            lock.withLock { requestTotal += 1 }
            guard path == "/v1/traces", let request = try? OTLPJSON.decode(body) else { return false }
            var spans: [ReceivedSpan] = []
            for resourceSpans in request.resourceSpans {
                let service = resourceSpans.resource.attributes.first { $0.key == "service.name" }?.value.stringValue ?? ""
                for scope in resourceSpans.scopeSpans {
                    spans += scope.spans.map { ReceivedSpan(service: service, span: $0) }
                }
            }
            lock.withLock { received += spans }
            return true
        }
    }

    private final class RequestHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let store: Store
        private var head: HTTPRequestHead?
        private var body = Data()

        init(store: Store) { self.store = store }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body.removeAll(keepingCapacity: true)
            case .body(var buffer):
                if let bytes = buffer.readBytes(length: buffer.readableBytes) { body.append(contentsOf: bytes) }
            case .end:
                guard let head else { return }
                let accepted = store.record(path: head.uri, body: body)
                let text = accepted ? "{}" : "{\"error\":\"expected a JSON ExportTraceServiceRequest at /v1/traces\"}"
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "application/json")
                headers.add(name: "Content-Length", value: String(text.utf8.count))
                let response = HTTPResponseHead(
                    version: head.version, status: accepted ? .ok : .badRequest, headers: headers)
                context.write(wrapOutboundOut(.head(response)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
                let keepAlive = head.isKeepAlive
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                    if !keepAlive { context.close(promise: nil) }
                }
                self.head = nil
            }
        }
    }
}
