/// Why one HTTP exchange with a model endpoint did not produce a reply, by class: the class
/// decides whether to retry and is the `class` label of the error metric.
public enum ModelCallFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// 429; `retryAfter` from the `Retry-After` header (seconds) when given.
    case rateLimited(retryAfter: Duration?)
    /// 5xx.
    case server(status: Int)
    /// Any other non-2xx status: a request the endpoint will never accept (bad key, bad model).
    case rejected(status: Int, detail: String)
    /// No answer within the request timeout.
    case timeout
    /// Refused, reset or closed before an answer.
    case connection(String)
    /// A 2xx whose body is not the flavour's reply.
    case malformedReply(String)

    /// Whether the same request may succeed later.
    public var isRetryable: Bool {
        switch self {
        case .rateLimited, .server, .timeout, .connection: true
        case .rejected, .malformedReply: false
        }
    }

    /// `rate_limited`, `server`, `rejected`, `timeout`, `connection`, `malformed`.
    public var metricClass: String {
        switch self {
        case .rateLimited: "rate_limited"
        case .server: "server"
        case .rejected: "rejected"
        case .timeout: "timeout"
        case .connection: "connection"
        case .malformedReply: "malformed"
        }
    }

    public var description: String {
        switch self {
        case .rateLimited(let after): "rate limited (429)" + (after.map { ", Retry-After \($0.seconds)s" } ?? "")
        case .server(let status): "server error (HTTP \(status))"
        case .rejected(let status, let detail): "request rejected (HTTP \(status))" + (detail.isEmpty ? "" : ": \(detail)")
        case .timeout: "no answer within the request timeout"
        case .connection(let reason): "connection failed: \(reason)"
        case .malformedReply(let reason): "malformed reply: \(reason)"
        }
    }
}

extension Duration {
    /// Whole seconds, rounded up, for messages.
    var seconds: Int64 { let (s, atto) = components; return s + (atto > 0 ? 1 : 0) }
}
