#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock time without Foundation, which this module avoids to stay light on the hot path.
public enum WallClock {
    /// Microseconds since the Unix epoch (UTC), the unit of every `*UnixMicros` field.
    public static func nowUnixMicros() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) &* 1_000_000 &+ Int64(ts.tv_nsec / 1000)
    }
}
