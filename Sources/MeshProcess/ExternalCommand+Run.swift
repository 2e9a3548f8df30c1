import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ExternalCommand {
    /// Default cap on captured stdout: 16 MiB.
    public static let defaultMaxOutputBytes = 16 * 1024 * 1024
    /// Default length of the kept stderr tail: 8 KiB.
    public static let defaultStderrTailBytes = 8 * 1024

    /// Runs the command to completion and reports how it ended.
    ///
    /// The child runs in its own process group on a dedicated thread (never a thread of the
    /// cooperative pool): stdin is written while stdout and stderr are read, so outputs of any
    /// size flow without deadlock. On timeout or task cancellation the whole group receives
    /// SIGTERM, then SIGKILL after `killGrace`; when the child exits normally any processes
    /// it left in its group are killed. Exceeding `maxOutputBytes` on stdout kills the group
    /// and sets `stdoutLimitExceeded`.
    ///
    /// - Parameters:
    ///   - stdin: Bytes written to the child's standard input, then closed.
    ///   - timeout: Wall-clock budget from spawn.
    ///   - maxOutputBytes: Most stdout bytes kept.
    ///   - stderrTailBytes: How many trailing stderr bytes are kept.
    ///   - killGrace: Pause between SIGTERM and SIGKILL.
    /// - Throws: `ExternalCommandError` when the program cannot be started; a program that
    ///   starts and fails is reported in the `CommandOutcome`.
    public func run(stdin: [UInt8] = [], timeout: Duration,
                    maxOutputBytes: Int = ExternalCommand.defaultMaxOutputBytes,
                    stderrTailBytes: Int = ExternalCommand.defaultStderrTailBytes,
                    killGrace: Duration = .seconds(2)) async throws -> CommandOutcome {
        let limits = SupervisionLimits(timeout: timeout, maxOutputBytes: max(0, maxOutputBytes),
                                       stderrTailBytes: stderrTailBytes, killGrace: killGrace)
        let flag = CancellationFlag()
        let command = self
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<CommandOutcome, Error>) in
                let thread = Thread {
                    Self.blockSIGPIPEOnThisThread()
                    continuation.resume(with: Result {
                        let process = try SpawnedProcess.spawn(command)
                        var supervisor = ProcessSupervisor(process: process, stdin: stdin, limits: limits, cancellation: flag)
                        return supervisor.run()
                    })
                }
                thread.name = "mesh-process"
                thread.start()
            }
        } onCancel: {
            flag.set()
        }
    }

    /// Writes to a pipe whose reader exited raise SIGPIPE in the writing thread; blocked here
    /// it becomes an `EPIPE` result instead of killing the whole worker.
    private static func blockSIGPIPEOnThisThread() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }
}
