/// An external program to run without a shell: an executable plus its argument vector.
///
/// Nothing is interpreted by a shell, so arguments never need quoting and cannot inject
/// commands. `executable` is either a path (absolute, or containing `/` and then relative to
/// `workingDirectory`) or a bare name looked up on `PATH` (the `PATH` of `environment` when it
/// sets one, otherwise the current process's).
public struct ExternalCommand: Sendable, Hashable {
    /// Path or bare program name (`python3`, `/usr/bin/env`, `./checker.sh`).
    public var executable: String
    /// Arguments after the program name (`argv[1...]`).
    public var arguments: [String]
    /// Variables added to (or overriding) the inherited environment.
    public var environment: [String: String]
    /// Whether the child starts from the current process's environment; when false it sees
    /// only `environment`.
    public var inheritsEnvironment: Bool
    /// Directory the child starts in; `nil` keeps the current directory.
    public var workingDirectory: String?

    public init(executable: String, arguments: [String] = [], environment: [String: String] = [:],
                inheritsEnvironment: Bool = true, workingDirectory: String? = nil) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.inheritsEnvironment = inheritsEnvironment
        self.workingDirectory = workingDirectory
    }

    /// A command from a full argument vector, `argv[0]` being the executable.
    ///
    /// Returns `nil` for an empty vector.
    public init?(argv: [String], environment: [String: String] = [:], workingDirectory: String? = nil) {
        guard let first = argv.first, !first.isEmpty else { return nil }
        self.init(executable: first, arguments: Array(argv.dropFirst()), environment: environment,
                  workingDirectory: workingDirectory)
    }

    /// `executable` followed by `arguments`, for logs and error messages.
    public var argv: [String] { [executable] + arguments }
}
