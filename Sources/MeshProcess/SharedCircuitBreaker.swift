import Foundation

/// A `CircuitBreaker` shared by concurrent callers (one per handler or checker), guarded by a
/// lock that is never held across I/O.
public final class SharedCircuitBreaker: @unchecked Sendable {
    private let lock = NSLock()
    private var breaker: CircuitBreaker

    public init(failureThreshold: Int = 5, coolDown: Duration = .seconds(60)) {
        breaker = CircuitBreaker(failureThreshold: failureThreshold, coolDown: coolDown)
    }

    /// Snapshot of the breaker value.
    public var current: CircuitBreaker { lock.withLock { breaker } }

    /// See `CircuitBreaker.admit(at:)`.
    public func admit(at now: ContinuousClock.Instant = .now) -> CircuitBreaker.Admission {
        lock.withLock { breaker.admit(at: now) }
    }

    /// See `CircuitBreaker.recordSuccess()`.
    public func recordSuccess() { lock.withLock { breaker.recordSuccess() } }

    /// See `CircuitBreaker.recordFailure(at:)`.
    public func recordFailure(at now: ContinuousClock.Instant = .now) {
        lock.withLock { breaker.recordFailure(at: now) }
    }
}
