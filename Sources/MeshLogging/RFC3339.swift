import Foundation

/// RFC 3339 UTC timestamps (`2026-11-27T02:58:07.123456Z`), without DateFormatter's cost.
public enum RFC3339 {
    /// - Parameter fractionDigits: 3 (milliseconds) or 6 (microseconds).
    public static func format(unixMicros: Int64, fractionDigits: Int = 6) -> String {
        var seconds = time_t(unixMicros.floorDivided(by: 1_000_000))
        let micros = Int(unixMicros - Int64(seconds) * 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let fraction = fractionDigits == 3 ? String(format: "%03d", micros / 1000) : String(format: "%06d", micros)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%@Z", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec, fraction)
    }

    /// The current time.
    public static func now(fractionDigits: Int = 6) -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return format(unixMicros: Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec / 1000), fractionDigits: fractionDigits)
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor < 0) ? quotient - 1 : quotient
    }
}
