#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reusable scratch regions for the codec's arenas. `withUnsafeTemporaryAllocation` puts
/// regions this large on the heap on Linux (an aligned allocation plus a free that makes
/// malloc consolidate, per encode and per decode); taking a region from a small pool costs
/// two uncontended lock operations instead. Safe to use from many threads.
final class ScratchPool: @unchecked Sendable {
    /// Encode arenas: a ~1 KiB envelope's whole C graph fits.
    static let encode = ScratchPool(byteCount: 8 * 1024)
    /// Decode arenas: protobuf-c's unpacked graph of a ~1 KiB envelope fits.
    static let decode = ScratchPool(byteCount: 16 * 1024)

    let byteCount: Int
    private static let maximumIdle = 16
    private let lock = PlatformLock()
    // Guarded by `lock`: regions not in use by any thread.
    private var idle: [UnsafeMutableRawPointer] = []

    private init(byteCount: Int) {
        self.byteCount = byteCount
        idle.reserveCapacity(Self.maximumIdle)
    }

    /// Runs `body` with a region of `byteCount` bytes, 16-byte aligned, that is this call's
    /// alone until `body` returns. Nothing may keep the region after that.
    func with<R>(_ body: (UnsafeMutableRawBufferPointer) -> R) -> R {
        let region = lock.withLock { idle.popLast() }
            ?? UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 16)
        defer {
            let kept = lock.withLock { () -> Bool in
                guard idle.count < Self.maximumIdle else { return false }
                idle.append(region)
                return true
            }
            if !kept { region.deallocate() }
        }
        return body(UnsafeMutableRawBufferPointer(start: region, count: byteCount))
    }
}

/// A pthread mutex for this module's few shared pools (it avoids Foundation on purpose).
final class PlatformLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<R>(_ body: () -> R) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }
}
