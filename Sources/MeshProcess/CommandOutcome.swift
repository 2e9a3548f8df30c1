import Foundation

/// How a finished child process ended.
public enum Termination: Sendable, Hashable, CustomStringConvertible {
    /// Normal exit with this status (0–255).
    case exited(Int32)
    /// Killed by this signal number (e.g. 9 for `SIGKILL`).
    case signaled(Int32)

    /// Decodes a `waitpid` status word (the `WIFEXITED`/`WTERMSIG` macros are not importable).
    init(waitStatus status: Int32) {
        let signal = status & 0x7F
        self = signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
    }

    public var description: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .signaled(let signal): "signal \(signal) (\(SignalName.of(signal)))"
        }
    }
}

/// Everything observed about one run of an `ExternalCommand`.
public struct CommandOutcome: Sendable, Hashable {
    /// How the process ended.
    public var termination: Termination
    /// Standard output, at most `maxOutputBytes` of it.
    public var stdout: [UInt8]
    /// True when the child wrote more than `maxOutputBytes` on stdout; it was then killed, so
    /// `stdout` is incomplete and should not be parsed.
    public var stdoutLimitExceeded: Bool
    /// The last bytes of standard error (the tail is what explains a failure).
    public var stderrTail: [UInt8]
    /// Total bytes the child wrote on stderr, including the part dropped from the tail.
    public var stderrByteCount: Int
    /// Wall time from spawn to the end of output.
    public var duration: Duration
    /// True when the run hit its timeout and the process group was terminated.
    public var timedOut: Bool
    /// True when the awaiting task was cancelled and the process group was terminated.
    public var cancelled: Bool

    public init(termination: Termination, stdout: [UInt8], stdoutLimitExceeded: Bool = false,
                stderrTail: [UInt8], stderrByteCount: Int, duration: Duration, timedOut: Bool = false,
                cancelled: Bool = false) {
        self.termination = termination
        self.stdout = stdout
        self.stdoutLimitExceeded = stdoutLimitExceeded
        self.stderrTail = stderrTail
        self.stderrByteCount = stderrByteCount
        self.duration = duration
        self.timedOut = timedOut
        self.cancelled = cancelled
    }

    /// Exited with status 0, within time, with complete output.
    public var succeeded: Bool {
        termination == .exited(0) && !timedOut && !cancelled && !stdoutLimitExceeded
    }

    /// True when stderr was longer than the tail kept.
    public var stderrTruncated: Bool { stderrByteCount > stderrTail.count }

    /// The stderr tail as text (invalid UTF-8 repaired), trimmed, prefixed with `…` when cut.
    public var stderrTailText: String {
        let text = String(decoding: stderrTail, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return stderrTruncated ? "…" + text : text
    }
}

/// Short names for the signals a supervisor meets, for human-readable messages.
enum SignalName {
    static func of(_ signal: Int32) -> String {
        switch signal {
        case 1: "SIGHUP"
        case 2: "SIGINT"
        case 3: "SIGQUIT"
        case 4: "SIGILL"
        case 6: "SIGABRT"
        case 7: "SIGBUS"
        case 8: "SIGFPE"
        case 9: "SIGKILL"
        case 11: "SIGSEGV"
        case 13: "SIGPIPE"
        case 15: "SIGTERM"
        default: "signal \(signal)"
        }
    }
}
