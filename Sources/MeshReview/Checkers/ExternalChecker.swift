import Foundation
import MeshProcess
import MeshWire

/// Runs one `external_checker` rule: the result JSON on stdin, findings JSON on stdout.
///
/// A checker that cannot run, crashes, times out, prints something unreadable or is switched
/// off by its circuit breaker never breaks the review: it yields one finding saying what
/// happened, decided by the rule's `on_failure`.
struct ExternalChecker {
    /// What the checker said, or that it failed.
    enum Verdict: Hashable {
        case findings([Finding])
        case failed(Finding)
    }

    let rule: ReviewRule
    let spec: ExternalCheckerSpec
    let breaker: SharedCircuitBreaker

    func check(_ result: TaskResult, role: String, now: ContinuousClock.Instant) async -> Verdict {
        if case .refused(let retryAt) = breaker.admit(at: now) {
            let when = retryAt.map { "until \(DurationText.seconds(now.duration(to: $0))) from now" } ?? "while a trial run is in progress"
            return .failed(failure("skipped: circuit breaker open after \(spec.failureThreshold) consecutive failures, \(when)"))
        }
        let verdict: Verdict
        do {
            let outcome = try await spec.command.run(stdin: CheckerContract.inputJSON(result, role: role), timeout: spec.timeout,
                                                     maxOutputBytes: 4 * 1024 * 1024, stderrTailBytes: 2048,
                                                     killGrace: .seconds(1))
            verdict = interpret(outcome)
        } catch {
            verdict = .failed(failure("could not be started: \(error)"))
        }
        if case .failed = verdict { breaker.recordFailure(at: now) } else { breaker.recordSuccess() }
        return verdict
    }

    private func interpret(_ outcome: CommandOutcome) -> Verdict {
        let tail = outcome.stderrTailText.isEmpty ? "" : ": " + outcome.stderrTailText
        if outcome.timedOut { return .failed(failure("timed out after \(DurationText.seconds(spec.timeout))" + tail)) }
        if outcome.cancelled { return .failed(failure("cancelled")) }
        if outcome.stdoutLimitExceeded { return .failed(failure("printed more than 4 MiB on stdout")) }
        guard outcome.termination == .exited(0) else { return .failed(failure("ended with \(outcome.termination)" + tail)) }
        switch CheckerContract.findings(in: outcome.stdout, rule: rule) {
        case .success(let findings): return .findings(findings)
        case .failure(let problem): return .failed(failure("printed \(problem.message)"))
        }
    }

    private func failure(_ message: String) -> Finding {
        Finding(ruleID: rule.id, severity: spec.onFailure == nil ? .info : rule.severity,
                message: "checker \"\(rule.id)\" \(message)", location: "checker")
    }
}

/// Human-readable durations and decoding errors for checker findings.
enum DurationText {
    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}

enum DecodingText {
    static func describe(_ error: Error) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        switch decoding {
        case .dataCorrupted(let context): return context.debugDescription
        case .keyNotFound(let key, let context): return "missing \"\(key.stringValue)\" at \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "\(context.debugDescription) at \(path(context))"
        @unknown default: return "\(error)"
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        let text = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return text.isEmpty ? "top level" : String(text.drop { $0 == "." })
    }
}
