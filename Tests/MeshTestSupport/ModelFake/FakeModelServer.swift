import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// An OpenAI- or Anthropic-compatible model server on loopback, for tests: real HTTP, so the
/// model handler's whole edge (AsyncHTTPClient, retries, timeouts) is exercised.
///
/// It keeps every request it receives, checks each against the test's expectations (a
/// forbidden string, the required credential) and answers from a script: queued actions first
/// (malformed answers, 429 with `Retry-After`, 500, a hang, a closed connection), then the
/// default responder.
public final class FakeModelServer: @unchecked Sendable {
    public enum Flavour: Sendable {
        case openAIChat
        case anthropicMessages
    }

    /// What the server does with one request.
    public enum Action: Sendable {
        /// A well-formed reply whose answer text (OpenAI content, Anthropic text block) is `text`.
        case answer(String)
        /// A raw reply.
        case raw(status: Int, headers: [(String, String)], body: String)
        /// Never answers (the connection stays open).
        case hang
        /// Closes the connection without answering.
        case close
    }

    /// One request as received.
    public struct Request: Sendable {
        public var path: String
        public var headers: [(String, String)]
        public var body: String

        public func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    public let flavour: Flavour
    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)/v1" }
    private let lock = NSLock()
    private var script: [Action] = []
    private var received: [Request] = []
    private var violations: [String] = []
    private var forbidden: [String] = []
    private var expectedCredential: String?
    private var responder: @Sendable (Request) -> Action
    private let channel: Channel

    /// Starts listening on a free loopback port. The default responder answers every request
    /// with `defaultAnswer` (a valid result JSON unless the test says otherwise).
    public init(flavour: Flavour, defaultAnswer: String = FakeModelServer.validAnswer()) throws {
        self.flavour = flavour
        responder = { _ in .answer(defaultAnswer) }
        let box = Box()
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(server: box))
                }
            }
        channel = try bootstrap.bind(host: "127.0.0.1", port: 0).wait()
        port = channel.localAddress?.port ?? 0
        box.server = self
    }

    /// Stops listening (connections left hanging are closed with the event loop's channels).
    public func stop() { try? channel.close().wait() }

    /// Queues actions for the next requests, in order.
    public func enqueue(_ actions: Action...) { lock.withLock { script += actions } }

    /// Replaces the default responder (used once the queue is empty).
    public func respond(_ responder: @escaping @Sendable (Request) -> Action) { lock.withLock { self.responder = responder } }

    /// Any request containing one of `strings` (body or headers) is recorded as a violation.
    public func forbid(_ strings: [String]) { lock.withLock { forbidden += strings } }

    /// Every request must carry this key (as `Authorization: Bearer` or `x-api-key`).
    public func requireCredential(_ key: String) { lock.withLock { expectedCredential = key } }

    public var requests: [Request] { lock.withLock { received } }
    public var requestCount: Int { lock.withLock { received.count } }
    /// What the server found wrong in the requests it received; tests assert it is empty.
    public var problems: [String] { lock.withLock { violations } }

    /// Records a problem the test's responder found in a request.
    public func flag(_ problem: String) { lock.withLock { violations.append(problem) } }

    fileprivate func action(for request: Request) -> Action {
        let scripted: Action? = lock.withLock {
            received.append(request)
            let whole = request.body + request.headers.map { "\($0.0): \($0.1)" }.joined(separator: "\n")
            for text in forbidden where whole.contains(text) {
                violations.append("request \(received.count) to \(request.path) contains a forbidden value (\(text.count) characters)")
            }
            if let key = expectedCredential {
                let presented = request.header("authorization") == "Bearer \(key)" || request.header("x-api-key") == key
                if !presented { violations.append("request \(received.count) lacks the expected credential") }
            }
            return script.isEmpty ? nil : script.removeFirst()
        }
        if let scripted { return scripted }
        // Called outside the lock: a responder may `flag` what it finds.
        return lock.withLock { responder }(request)
    }

    fileprivate func replyBody(answer: String) -> String {
        switch flavour {
        case .openAIChat:
            return Self.json([
                "id": "chatcmpl-fake", "object": "chat.completion", "model": "fake-model",
                "choices": [["index": 0, "message": ["role": "assistant", "content": answer], "finish_reason": "stop"]],
                "usage": ["prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150],
            ])
        case .anthropicMessages:
            // A JSON answer comes back as the forced tool call, anything else as text.
            let content: [[String: Any]]
            if let data = answer.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
                content = [["type": "tool_use", "id": "toolu_fake", "name": "submit_result", "input": object]]
            } else {
                content = [["type": "text", "text": answer]]
            }
            return Self.json([
                "id": "msg_fake", "type": "message", "role": "assistant", "model": "fake-model", "content": content,
                "stop_reason": "tool_use", "usage": ["input_tokens": 100, "output_tokens": 50],
            ])
        }
    }

    /// A valid structured answer with one artifact.
    public static func validAnswer(summary: String = "done", artifactName: String = "Sources/App/Feature.swift",
                                   content: String = "let feature = 1\n", attributes: [String: String] = [:]) -> String {
        json([
            "summary": summary,
            "artifacts": [["name": artifactName, "media_type": "text/x-swift", "content": content]],
            "attributes": attributes,
        ])
    }

    /// The user turns of a request (OpenAI and Anthropic shapes), joined.
    public static func prompt(of request: Request) -> String {
        guard let data = request.body.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let messages = object["messages"] as? [[String: Any]] else { return "" }
        return messages.compactMap { $0["content"] as? String }.joined(separator: "\n")
    }

    public static func json(_ object: Any) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
    }

    final class Box: @unchecked Sendable { weak var server: FakeModelServer? }

    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let server: Box
        var head: HTTPRequestHead?
        var body = ByteBuffer()

        init(server: Box) { self.server = server }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body.clear()
            case .body(var chunk):
                body.writeBuffer(&chunk)
            case .end:
                guard let head, let server = server.server else { return }
                let request = Request(path: head.uri, headers: head.headers.map { ($0.name, $0.value) },
                                      body: body.readString(length: body.readableBytes) ?? "")
                switch server.action(for: request) {
                case .hang:
                    return
                case .close:
                    context.close(promise: nil)
                case .answer(let text):
                    write(context: context, status: 200, headers: [], body: server.replyBody(answer: text))
                case .raw(let status, let headers, let text):
                    write(context: context, status: status, headers: headers, body: text)
                }
            }
        }

        private func write(context: ChannelHandlerContext, status: Int, headers: [(String, String)], body: String) {
            var responseHeaders = HTTPHeaders([("content-type", "application/json"), ("content-length", String(body.utf8.count))])
            for (name, value) in headers { responseHeaders.add(name: name, value: value) }
            let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: responseHeaders)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
