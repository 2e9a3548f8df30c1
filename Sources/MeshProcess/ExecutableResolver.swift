#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns `ExternalCommand.executable` into an absolute path before spawning, so a missing or
/// non-executable program is reported as a typed error instead of an exit status 127.
enum ExecutableResolver {
    static func resolve(_ command: ExternalCommand, environment: [String: String]) throws -> String {
        let name = command.executable
        if name.contains("/") {
            let path = name.hasPrefix("/") ? name : join(command.workingDirectory ?? currentDirectory(), name)
            guard exists(path) else { throw ExternalCommandError.executableNotFound(name: path, searched: []) }
            guard isExecutableFile(path) else { throw ExternalCommandError.notExecutable(path: path) }
            return path
        }
        let searchPath = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let directories = searchPath.split(separator: ":", omittingEmptySubsequences: true).map(String.init)
        for directory in directories {
            let candidate = join(directory, name)
            if isExecutableFile(candidate) { return candidate }
        }
        throw ExternalCommandError.executableNotFound(name: name, searched: directories)
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    private static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(path, X_OK) == 0
    }

    private static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    private static func currentDirectory() -> String {
        guard let cwd = getcwd(nil, 0) else { return "." }
        defer { free(cwd) }
        return String(cString: cwd)
    }
}
