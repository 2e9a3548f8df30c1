#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `pipe2(O_CLOEXEC)` and `posix_spawn_file_actions_addchdir_np`, which glibc declares only
/// under `_GNU_SOURCE` and Swift's Glibc module therefore does not import. They are looked up
/// once at run time (glibc ≥ 2.29 has both).
enum SpawnExtensions {
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    private static let handle = dlopen(nil, RTLD_LAZY)
    private static let pipe2Function: Pipe2? = dlsym(handle, "pipe2").map { unsafeBitCast($0, to: Pipe2.self) }
    private static let addChdirFunction: AddChdir? =
        dlsym(handle, "posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: AddChdir.self) }

    /// Creates a pipe whose both ends are close-on-exec; returns 0 or -1 with `errno` set.
    static func pipeCloexec(_ fds: UnsafeMutablePointer<Int32>) -> Int32 {
        if let pipe2Function { return pipe2Function(fds, O_CLOEXEC) }
        // Fallback (non-glibc): not atomic, but still closes the ends in children exec'd later.
        guard pipe(fds) == 0 else { return -1 }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return 0
    }

    /// Adds a `chdir` to the spawn actions; returns 0 or an errno value.
    static func addChdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: String) -> Int32 {
        guard let addChdirFunction else { return ENOSYS }
        return addChdirFunction(actions, path)
    }
}
