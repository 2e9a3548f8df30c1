/// Stops calling a dependency (an external handler or checker) that keeps failing.
///
/// A pure value: every method takes the current instant, so tests and replays drive it
/// without sleeping. Transitions:
/// - closed → closed: a failure below the threshold (counted), or a success (count reset);
/// - closed → open: `failureThreshold` consecutive failures;
/// - open → open: a call before `coolDown` has elapsed is refused;
/// - open → half-open: the first call after `coolDown` is let through as a trial;
/// - half-open → closed: the trial succeeded;
/// - half-open → open: the trial failed (a new cool-down starts).
/// While the trial runs, further calls are refused.
public struct CircuitBreaker: Sendable, Hashable {
    /// Where the breaker stands.
    public enum State: Sendable, Hashable {
        case closed(consecutiveFailures: Int)
        case open(since: ContinuousClock.Instant)
        case halfOpen
    }

    /// Answer to "may I call now?".
    public enum Admission: Sendable, Hashable {
        case allowed
        /// Refused; `retryAt` is when the next trial will be allowed (`nil` while a trial runs).
        case refused(retryAt: ContinuousClock.Instant?)
    }

    /// Consecutive failures that open the breaker (at least 1).
    public let failureThreshold: Int
    /// How long the breaker stays open before a trial call.
    public let coolDown: Duration
    /// Current state.
    public private(set) var state: State = .closed(consecutiveFailures: 0)

    public init(failureThreshold: Int, coolDown: Duration) {
        self.failureThreshold = max(1, failureThreshold)
        self.coolDown = coolDown
    }

    /// Decides whether a call may go ahead at `now`; may move open → half-open.
    public mutating func admit(at now: ContinuousClock.Instant) -> Admission {
        switch state {
        case .closed:
            return .allowed
        case .open(let since):
            let reopen = since.advanced(by: coolDown)
            guard now >= reopen else { return .refused(retryAt: reopen) }
            state = .halfOpen
            return .allowed
        case .halfOpen:
            return .refused(retryAt: nil)
        }
    }

    /// Records a successful call: closes the breaker and resets the failure count.
    public mutating func recordSuccess() {
        state = .closed(consecutiveFailures: 0)
    }

    /// Records a failed call at `now`.
    public mutating func recordFailure(at now: ContinuousClock.Instant) {
        switch state {
        case .closed(let failures):
            state = failures + 1 >= failureThreshold ? .open(since: now) : .closed(consecutiveFailures: failures + 1)
        case .halfOpen:
            state = .open(since: now)
        case .open:
            break  // A call admitted before the breaker opened finished late; stay open.
        }
    }
}
