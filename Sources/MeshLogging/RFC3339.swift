import Foundation

/// RFC 3339 UTC timestamps (`2026-11-27T02:58:07.123456Z`). Every produced record carries
/// one in its `ce_time` header, so this formats digits directly instead of going through
/// `String(format:)`, which costs more than signing the record.
public enum RFC3339 {
    /// - Parameter fractionDigits: 0 (whole seconds), 3 (milliseconds) or 6 (microseconds,
    ///   also used for any other value).
    public static func format(unixMicros: Int64, fractionDigits: Int = 6) -> String {
        let (days, microsOfDay) = floorDivision(unixMicros, 86_400_000_000)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let secondsOfDay = microsOfDay / 1_000_000
        let micros = microsOfDay % 1_000_000
        let fraction: (value: Int64, digits: Int) =
            switch fractionDigits {
            case 0: (0, 0)
            case 3: (micros / 1000, 3)
            default: (micros, 6)
            }
        // Written straight into the string's storage: no intermediate array.
        return String(unsafeUninitializedCapacity: 27) { buffer in
            var position = 0
            func put(_ value: Int64, digits: Int) {
                var rest = max(0, value)
                for index in stride(from: position + digits - 1, through: position, by: -1) {
                    buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                position += digits
            }
            func put(_ character: Unicode.Scalar) {
                buffer[position] = UInt8(ascii: character)
                position += 1
            }
            put(year, digits: 4)
            put("-")
            put(month, digits: 2)
            put("-")
            put(day, digits: 2)
            put("T")
            put(secondsOfDay / 3600, digits: 2)
            put(":")
            put(secondsOfDay / 60 % 60, digits: 2)
            put(":")
            put(secondsOfDay % 60, digits: 2)
            if fraction.digits > 0 {
                put(".")
                put(fraction.value, digits: fraction.digits)
            }
            put("Z")
            return position
        }
    }

    /// The current time.
    public static func now(fractionDigits: Int = 6) -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return format(unixMicros: Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec / 1000), fractionDigits: fractionDigits)
    }

    /// Proleptic Gregorian date of a day count since 1970-01-01 (the "days from civil"
    /// inverse, exact for every Int64 day in range).
    static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = daysSinceEpoch + 719_468
        let era = floorDivision(shifted, 146_097).quotient
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let quotient = value / divisor
        let remainder = value % divisor
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }
}
