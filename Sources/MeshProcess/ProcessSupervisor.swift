#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Limits of one supervised run.
struct SupervisionLimits {
    var timeout: Duration
    var maxOutputBytes: Int
    var stderrTailBytes: Int
    /// Time between SIGTERM and SIGKILL, and the longest wait for pipes after the child exits.
    var killGrace: Duration
}

/// Drives one spawned child to completion on the calling (dedicated, blocking) thread: feeds
/// stdin, drains stdout and stderr concurrently with a single `poll` loop (so a child that
/// fills one pipe while we write the other never deadlocks), enforces the timeout, and reaps it.
///
/// Escalation on timeout, cancellation or stdout overflow: SIGTERM to the process group, then
/// SIGKILL to the group after `killGrace`. When the leader exits on its own, the rest of its
/// group is SIGKILLed too: a handler may not leave background children behind.
struct ProcessSupervisor {
    private let process: SpawnedProcess
    private let limits: SupervisionLimits
    private let cancellation: CancellationFlag

    private var stdinFD: Int32
    private var stdoutFD: Int32
    private var stderrFD: Int32
    private var input: [UInt8]
    private var written = 0
    private var stdout: [UInt8] = []
    private var stdoutLimitExceeded = false
    private var stderrTail = ByteTail(capacity: 0)
    private var waitStatus: Int32?
    private var exitedAt: ContinuousClock.Instant?
    private var termSentAt: ContinuousClock.Instant?
    private var killSent = false
    private var timedOut = false
    private var cancelled = false

    init(process: SpawnedProcess, stdin: [UInt8], limits: SupervisionLimits, cancellation: CancellationFlag) {
        self.process = process
        self.limits = limits
        self.cancellation = cancellation
        self.stdinFD = process.stdinFD
        self.stdoutFD = process.stdoutFD
        self.stderrFD = process.stderrFD
        self.input = stdin
        self.stderrTail = ByteTail(capacity: limits.stderrTailBytes)
    }

    mutating func run() -> CommandOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start.advanced(by: limits.timeout)
        if input.isEmpty { Self.closeFD(&stdinFD) }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)

        while true {
            reapIfExited(now: clock.now)
            if waitStatus != nil && stdoutFD < 0 && stderrFD < 0 { break }
            escalate(now: clock.now, deadline: deadline)
            if let exitedAt, clock.now >= exitedAt.advanced(by: limits.killGrace) {
                // A descendant escaped the group (setsid) and still holds the pipes: stop waiting.
                Self.closeFD(&stdoutFD)
                Self.closeFD(&stderrFD)
                continue
            }
            pollOnce(timeoutMilliseconds: nextWakeMilliseconds(now: clock.now, deadline: deadline), buffer: &buffer)
        }
        Self.closeFD(&stdinFD)
        return CommandOutcome(
            termination: Termination(waitStatus: waitStatus ?? 0),
            stdout: stdout, stdoutLimitExceeded: stdoutLimitExceeded,
            stderrTail: stderrTail.bytes, stderrByteCount: stderrTail.total,
            duration: start.duration(to: clock.now), timedOut: timedOut, cancelled: cancelled)
    }

    private mutating func reapIfExited(now: ContinuousClock.Instant) {
        guard waitStatus == nil else { return }
        var status: Int32 = 0
        let rc = waitpid(process.pid, &status, WNOHANG)
        guard rc == process.pid else { return }
        waitStatus = status
        exitedAt = now
        // The leader is gone; whatever it left in its group goes with it.
        _ = kill(-process.pid, SIGKILL)
        Self.closeFD(&stdinFD)
    }

    private mutating func escalate(now: ContinuousClock.Instant, deadline: ContinuousClock.Instant) {
        guard waitStatus == nil, !killSent else { return }
        if termSentAt == nil {
            if stdoutLimitExceeded {
                signalGroup(SIGKILL)
                killSent = true
            } else if cancellation.isSet || now >= deadline {
                if cancellation.isSet { cancelled = true } else { timedOut = true }
                signalGroup(SIGTERM)
                termSentAt = now
            }
        } else if let termSentAt, now >= termSentAt.advanced(by: limits.killGrace) {
            signalGroup(SIGKILL)
            killSent = true
        }
    }

    private func signalGroup(_ signal: Int32) {
        if kill(-process.pid, signal) != 0 { _ = kill(process.pid, signal) }
    }

    private func nextWakeMilliseconds(now: ContinuousClock.Instant, deadline: ContinuousClock.Instant) -> Int32 {
        // Exit of a child whose pipes are already closed is only seen by polling waitpid.
        var wake = Duration.milliseconds(stdoutFD < 0 && stderrFD < 0 ? 5 : 50)
        if waitStatus == nil && termSentAt == nil { wake = min(wake, now.duration(to: deadline)) }
        if let termSentAt, !killSent { wake = min(wake, now.duration(to: termSentAt.advanced(by: limits.killGrace))) }
        let milliseconds = wake.components.seconds * 1000 + wake.components.attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(1, milliseconds))
    }

    private mutating func pollOnce(timeoutMilliseconds: Int32, buffer: inout [UInt8]) {
        var fds: [pollfd] = []
        if stdinFD >= 0 { fds.append(pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)) }
        if stdoutFD >= 0 { fds.append(pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)) }
        if stderrFD >= 0 { fds.append(pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)) }
        let ready = poll(&fds, nfds_t(fds.count), timeoutMilliseconds)
        guard ready > 0 else { return }
        for entry in fds where entry.revents != 0 {
            if entry.fd == stdinFD { writeInput() }
            else if entry.fd == stdoutFD { drainStdout(&buffer) }
            else if entry.fd == stderrFD { drainStderr(&buffer) }
        }
    }

    private mutating func writeInput() {
        while written < input.count {
            let count = input[written...].withUnsafeBytes { write(stdinFD, $0.baseAddress, $0.count) }
            if count > 0 { written += count; continue }
            if count < 0 && (errno == EAGAIN || errno == EINTR) { return }
            break  // EPIPE: the child stopped reading, which is its right.
        }
        Self.closeFD(&stdinFD)
        input = []
    }

    private mutating func drainStdout(_ buffer: inout [UInt8]) {
        while let chunk = Self.readChunk(&stdoutFD, &buffer) {
            let room = limits.maxOutputBytes - stdout.count
            if chunk.count > room {
                stdout.append(contentsOf: chunk.prefix(max(room, 0)))
                stdoutLimitExceeded = true
            } else {
                stdout.append(contentsOf: chunk)
            }
        }
    }

    private mutating func drainStderr(_ buffer: inout [UInt8]) {
        while let chunk = Self.readChunk(&stderrFD, &buffer) { stderrTail.append(chunk) }
    }

    /// Next available bytes, or nil when the pipe would block or reached EOF (then closed).
    private static func readChunk(_ fd: inout Int32, _ buffer: inout [UInt8]) -> ArraySlice<UInt8>? {
        guard fd >= 0 else { return nil }
        let descriptor = fd
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count > 0 { return buffer[0..<count] }
        if count < 0 && (errno == EAGAIN || errno == EINTR) { return nil }
        closeFD(&fd)
        return nil
    }

    private static func closeFD(_ fd: inout Int32) {
        if fd >= 0 { _ = close(fd) }
        fd = -1
    }
}

/// Keeps the last `capacity` bytes of a stream and counts all of them.
struct ByteTail {
    let capacity: Int
    private var storage: [UInt8] = []
    private(set) var total = 0

    init(capacity: Int) { self.capacity = max(0, capacity) }

    mutating func append(_ chunk: ArraySlice<UInt8>) {
        total += chunk.count
        storage.append(contentsOf: chunk)
        // Trim in batches so appending stays linear.
        if storage.count > 2 * capacity + 4096 { storage.removeFirst(storage.count - capacity) }
    }

    var bytes: [UInt8] { Array(storage.suffix(capacity)) }
}
