import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The HTTP edge: one AsyncHTTPClient per endpoint, so connections are pooled and reused and
/// the proxy is chosen once for the endpoint's host. TLS uses the client's default, which
/// verifies certificates and host names. Errors it returns never carry headers, so never the
/// API key.
public final class ModelHTTPClient: Sendable {
    /// What a completed exchange returned.
    public struct Response: Sendable {
        public var status: Int
        public var retryAfter: String?
        public var body: [UInt8]
    }

    /// Replies larger than this are refused (a runaway or hostile server).
    static let maxReplyBytes = 16 << 20

    private let client: HTTPClient
    private let baseURL: String

    public init(endpointURL: String, connectTimeout: Duration, environment: [String: String] = ProcessInfo.processInfo.environment) {
        var configuration = HTTPClient.Configuration()
        if let url = URL(string: endpointURL), let proxy = ProxySelection.forEndpoint(url, environment: environment) {
            configuration.proxy = .server(host: proxy.host, port: proxy.port)
        }
        configuration.timeout = .init(connect: .nanoseconds(Self.nanoseconds(connectTimeout)))
        configuration.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        baseURL = endpointURL.hasSuffix("/") ? String(endpointURL.dropLast()) : endpointURL
    }

    /// Sends `request` with `credential` attached; every failure comes back classified.
    public func send(_ request: ModelRequest, credential: (String, String)?, timeout: Duration) async -> Result<Response, ModelCallFailure> {
        var http = HTTPClientRequest(url: baseURL + request.path)
        http.method = .POST
        for (name, value) in request.headers { http.headers.add(name: name, value: value) }
        if let credential { http.headers.add(name: credential.0, value: credential.1) }
        http.body = .bytes(request.body)
        do {
            let response = try await client.execute(http, timeout: .nanoseconds(Self.nanoseconds(timeout)))
            let body = try await response.body.collect(upTo: Self.maxReplyBytes)
            return .success(Response(
                status: Int(response.status.code), retryAfter: response.headers.first(name: "retry-after"),
                body: Array(buffer: body)))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .failure(.timeout)
        } catch let error as HTTPClientError where error == .connectTimeout {
            return .failure(.connection("connect timed out"))
        } catch is CancellationError {
            return .failure(.timeout)
        } catch {
            // Errors from NIO name the address and the cause (e.g. connection refused), not the request.
            return .failure(.connection(String(describing: error)))
        }
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// Closes pooled connections; call once when the handler is done.
    public func shutdown() async {
        try? await client.shutdown()
    }
}
