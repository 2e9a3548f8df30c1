#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child started with `posix_spawn` as the leader of its own process group, with its three
/// standard streams connected to pipes whose parent ends are held here.
///
/// The own process group is what lets a timeout kill the whole tree (`kill(-pid, …)`): shell
/// pipelines, interpreters and their helpers, not just the direct child.
struct SpawnedProcess {
    let pid: pid_t
    /// Parent ends: write to the child's stdin, read its stdout and stderr. Non-blocking.
    let stdinFD: Int32
    let stdoutFD: Int32
    let stderrFD: Int32

    /// Spawns `command`. Must be called on a thread that may block briefly (fork/exec).
    static func spawn(_ command: ExternalCommand) throws -> SpawnedProcess {
        if let directory = command.workingDirectory, !ExecutableResolver.isDirectory(directory) {
            throw ExternalCommandError.workingDirectoryNotFound(directory)
        }
        let environment = Self.environment(for: command)
        let path = try ExecutableResolver.resolve(command, environment: environment)

        let stdinPipe = try Pipe.make()
        let stdoutPipe = try Pipe.make()
        let stderrPipe = try Pipe.make()
        let allEnds = [stdinPipe.read, stdinPipe.write, stdoutPipe.read, stdoutPipe.write,
                       stderrPipe.read, stderrPipe.write]

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 onto 0/1/2 clears close-on-exec there; every other pipe end is O_CLOEXEC.
        posix_spawn_file_actions_adddup2(&actions, stdinPipe.read, 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe.write, 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe.write, 2)
        if let directory = command.workingDirectory {
            let rc = SpawnExtensions.addChdir(&actions, directory)
            if rc != 0 {
                allEnds.forEach { _ = close($0) }
                throw ExternalCommandError.spawnFailed(operation: "posix_spawn_file_actions_addchdir_np", errno: rc)
            }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        // The spawning thread blocks SIGPIPE; the child must start with a clean mask and
        // default dispositions so it behaves exactly as it would from a terminal.
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = CStringArray(command.argv)
        let envp = CStringArray(environment.keys.sorted().map { "\($0)=\(environment[$0]!)" })
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv.pointers, envp.pointers)
        close(stdinPipe.read)
        close(stdoutPipe.write)
        close(stderrPipe.write)
        guard rc == 0 else {
            [stdinPipe.write, stdoutPipe.read, stderrPipe.read].forEach { _ = close($0) }
            switch rc {
            case ENOENT: throw ExternalCommandError.executableNotFound(name: path, searched: [])
            case EACCES, ENOEXEC: throw ExternalCommandError.notExecutable(path: path)
            default: throw ExternalCommandError.spawnFailed(operation: "posix_spawn \(path)", errno: rc)
            }
        }
        for fd in [stdinPipe.write, stdoutPipe.read, stderrPipe.read] {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        return SpawnedProcess(pid: pid, stdinFD: stdinPipe.write, stdoutFD: stdoutPipe.read, stderrFD: stderrPipe.read)
    }

    private static func environment(for command: ExternalCommand) -> [String: String] {
        var result: [String: String] = [:]
        if command.inheritsEnvironment {
            var cursor = environ
            while let entry = cursor.pointee {
                let text = String(cString: entry)
                if let equals = text.firstIndex(of: "=") {
                    result[String(text[..<equals])] = String(text[text.index(after: equals)...])
                }
                cursor += 1
            }
        }
        result.merge(command.environment) { _, added in added }
        return result
    }
}

/// A pipe created close-on-exec atomically, so a concurrent spawn elsewhere in the process
/// cannot inherit our ends (which would keep them open and stall EOF detection).
private struct Pipe {
    let read: Int32
    let write: Int32

    static func make() throws -> Pipe {
        var fds: [Int32] = [-1, -1]
        guard SpawnExtensions.pipeCloexec(&fds) == 0 else {
            throw ExternalCommandError.spawnFailed(operation: "pipe2", errno: errno)
        }
        return Pipe(read: fds[0], write: fds[1])
    }
}

/// A NULL-terminated `char *[]` that frees its strings when released.
private final class CStringArray {
    let pointers: [UnsafeMutablePointer<CChar>?]

    init(_ strings: [String]) {
        pointers = strings.map { strdup($0) } + [nil]
    }

    deinit { pointers.forEach { free($0) } }
}
