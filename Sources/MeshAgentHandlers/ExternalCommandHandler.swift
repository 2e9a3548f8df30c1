import Foundation
import MeshProcess
import MeshWire

/// Runs a task through an external program speaking `HandlerContract` (JSON on stdin and
/// stdout, exit status honoured).
///
/// Runs are bounded three ways: a timeout (tightened to the task's deadline), a shared
/// `ConcurrencyLimiter` (at most K handler processes per worker) and a `SharedCircuitBreaker`
/// (after repeated failures the program is not started again until the cool-down passes).
/// Every failure mode is a failed outcome, never a thrown error.
///
/// The child also sees `AGENTMESH_CONTRACT`, `AGENTMESH_TASK_ID`, `AGENTMESH_ROLE` and
/// `AGENTMESH_ATTEMPT` in its environment.
public struct ExternalCommandHandler: TaskHandler {
    /// Program and limits.
    public struct Configuration: Sendable, Hashable {
        public var command: ExternalCommand
        /// Budget per run; default 30 s.
        public var timeout: Duration
        /// Largest accepted stdout; default 16 MiB.
        public var maxOutputBytes: Int
        /// Stderr kept for the error message; default 4 KiB.
        public var stderrTailBytes: Int
        /// SIGTERM → SIGKILL pause; default 2 s.
        public var killGrace: Duration

        public init(command: ExternalCommand, timeout: Duration = .seconds(30),
                    maxOutputBytes: Int = ExternalCommand.defaultMaxOutputBytes,
                    stderrTailBytes: Int = 4 * 1024, killGrace: Duration = .seconds(2)) {
            self.command = command
            self.timeout = timeout
            self.maxOutputBytes = maxOutputBytes
            self.stderrTailBytes = stderrTailBytes
            self.killGrace = killGrace
        }
    }

    public let configuration: Configuration
    public let limiter: ConcurrencyLimiter
    public let breaker: SharedCircuitBreaker
    private let now: @Sendable () -> ContinuousClock.Instant
    private let wallClockMicros: @Sendable () -> Int64

    /// - Parameters:
    ///   - limiter: Share one limiter between all handlers of a worker to bound the total.
    ///   - breaker: Defaults to opening after 5 consecutive failures for 60 s.
    public init(configuration: Configuration, limiter: ConcurrencyLimiter = ConcurrencyLimiter(limit: 1),
                breaker: SharedCircuitBreaker = SharedCircuitBreaker()) {
        self.init(configuration: configuration, limiter: limiter, breaker: breaker,
                  now: { .now }, wallClockMicros: { Int64(Date().timeIntervalSince1970 * 1_000_000) })
    }

    init(configuration: Configuration, limiter: ConcurrencyLimiter, breaker: SharedCircuitBreaker,
         now: @escaping @Sendable () -> ContinuousClock.Instant, wallClockMicros: @escaping @Sendable () -> Int64) {
        self.configuration = configuration
        self.limiter = limiter
        self.breaker = breaker
        self.now = now
        self.wallClockMicros = wallClockMicros
    }

    public func handle(_ task: TaskAssigned, context: HandlerContext) async -> HandlerOutcome {
        if case .refused(let retryAt) = breaker.admit(at: now()) {
            let when = retryAt.map { "retrying in \(DurationText.short(now().duration(to: $0)))" } ?? "a trial run is in progress"
            return .failed("handler disabled by its circuit breaker after \(breaker.current.failureThreshold) consecutive failures; \(when)")
        }
        var timeout = configuration.timeout
        if task.deadlineUnixMicros > 0 {
            let remaining = Duration.microseconds(task.deadlineUnixMicros - wallClockMicros())
            guard remaining > .zero else { return record(.failed("task deadline passed before the handler started")) }
            timeout = min(timeout, remaining)
        }
        var command = configuration.command
        command.environment.merge([
            "AGENTMESH_CONTRACT": HandlerContract.version, "AGENTMESH_TASK_ID": task.taskID,
            "AGENTMESH_ROLE": task.role, "AGENTMESH_ATTEMPT": String(task.attempt),
        ]) { own, _ in own }
        let stdin = HandlerContract.taskJSON(task, context: context)
        let configuration = configuration
        do {
            let outcome = try await limiter.withPermit { [command, timeout] in
                try await command.run(stdin: stdin, timeout: timeout, maxOutputBytes: configuration.maxOutputBytes,
                                      stderrTailBytes: configuration.stderrTailBytes, killGrace: configuration.killGrace)
            }
            return record(ExternalOutcomeInterpreter.interpret(outcome, timeout: timeout, maxOutputBytes: configuration.maxOutputBytes))
        } catch is CancellationError {
            return .failed("handler cancelled while waiting for a free slot")
        } catch {
            return record(.failed("handler could not be started: \(error)"))
        }
    }

    private func record(_ outcome: HandlerOutcome) -> HandlerOutcome {
        if outcome.status == .completed { breaker.recordSuccess() } else { breaker.recordFailure(at: now()) }
        return outcome
    }
}
