import Foundation

/// When to try a failed call again. Pure: the handler asks, then sleeps.
public struct RetrySchedule: Sendable, Hashable {
    public let policy: ModelRetryPolicy

    public init(policy: ModelRetryPolicy) { self.policy = policy }

    /// The wait before attempt `attempt + 1` after `failure` on attempt `attempt` (1-based),
    /// or `nil` when the call should not be tried again: the failure is final, the attempts
    /// are spent, or the wait would end after `remaining`.
    /// Exponential backoff from `baseDelay`, capped at `maxDelay`; a `Retry-After` the server
    /// sent wins over the backoff (it knows when it will have room).
    public func delay(after failure: ModelCallFailure, attempt: Int, remaining: Duration) -> Duration? {
        guard failure.isRetryable, attempt < policy.maxAttempts else { return nil }
        var wait = policy.baseDelay * (1 << min(attempt - 1, 20))
        if wait > policy.maxDelay { wait = policy.maxDelay }
        if case .rateLimited(let after?) = failure { wait = after }
        return wait < remaining ? wait : nil
    }

    /// `Retry-After` as delta-seconds (the HTTP-date form is rare from model APIs and read as absent).
    public static func retryAfter(_ header: String?) -> Duration? {
        guard let header, let seconds = Double(header.trimmingCharacters(in: .whitespaces)), seconds >= 0, seconds < 86_400 else {
            return nil
        }
        return .milliseconds(Int64(seconds * 1000))
    }
}
