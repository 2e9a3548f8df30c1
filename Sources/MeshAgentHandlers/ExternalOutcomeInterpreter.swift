import MeshProcess

/// Maps what a handler process did to a `HandlerOutcome`, with errors that tell the handler's
/// author what to fix.
enum ExternalOutcomeInterpreter {
    static func interpret(_ outcome: CommandOutcome, timeout: Duration, maxOutputBytes: Int) -> HandlerOutcome {
        let tail = outcome.stderrTailText
        let detail = tail.isEmpty ? "" : ": " + tail
        if outcome.cancelled { return .failed("handler cancelled" + detail) }
        if outcome.timedOut { return .failed("handler timed out after \(DurationText.short(timeout))" + detail) }
        if outcome.stdoutLimitExceeded {
            return .failed("handler printed more than \(maxOutputBytes) bytes on stdout (the limit) and was killed" + detail)
        }
        switch outcome.termination {
        case .signaled:
            return .failed("handler was killed by \(outcome.termination)" + detail)
        case .exited(let code) where code != 0:
            return .failed("handler exited with status \(code)" + (tail.isEmpty ? " (no stderr output)" : detail))
        case .exited:
            do {
                return try HandlerResultDecoder.decode(outcome.stdout)
            } catch {
                return .failed("\(error)" + (tail.isEmpty ? "" : " (stderr: \(tail))"))
            }
        }
    }
}

/// `30s`, `1.5s`, `250ms`: durations the way people write timeouts.
enum DurationText {
    static func short(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        return "\(Double(milliseconds) / 1000)s"
    }
}
