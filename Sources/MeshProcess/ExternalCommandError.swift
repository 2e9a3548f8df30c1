#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an `ExternalCommand` could not be started. A command that starts and then fails is
/// not an error: it is a `CommandOutcome` with a non-zero `termination`.
public enum ExternalCommandError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No such file, or a bare name not found on any `PATH` entry.
    case executableNotFound(name: String, searched: [String])
    /// The file exists but is not an executable regular file for this user.
    case notExecutable(path: String)
    /// `workingDirectory` does not exist or is not a directory.
    case workingDirectoryNotFound(String)
    /// Pipes or `posix_spawn` failed (`errno` and what was being done).
    case spawnFailed(operation: String, errno: Int32)

    public var description: String {
        switch self {
        case .executableNotFound(let name, let searched) where searched.isEmpty:
            "executable \"\(name)\" not found"
        case .executableNotFound(let name, let searched):
            "executable \"\(name)\" not found on PATH (\(searched.joined(separator: ":")))"
        case .notExecutable(let path):
            "\"\(path)\" is not an executable file (check its permissions: chmod +x)"
        case .workingDirectoryNotFound(let path):
            "working directory \"\(path)\" does not exist"
        case .spawnFailed(let operation, let code):
            "\(operation) failed: \(String(cString: strerror(code))) (errno \(code))"
        }
    }
}
