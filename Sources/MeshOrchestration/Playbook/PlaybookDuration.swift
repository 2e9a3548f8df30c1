/// Durations as written in playbooks: one or more `<integer><unit>` parts, unit one of
/// `s`, `m`, `h`, `d` — e.g. `45s`, `30m`, `2h`, `1h30m`, `7d`.
public enum PlaybookDuration {
    private static let unitMicros: [Character: Int64] = [
        "s": 1_000_000, "m": 60_000_000, "h": 3_600_000_000, "d": 86_400_000_000,
    ]
    /// Longest accepted duration (one year), which keeps deadline arithmetic far from overflow.
    public static let maximumMicros: Int64 = 366 * 86_400_000_000

    /// Microseconds for `text`, or `nil` if it is malformed, zero or longer than a year.
    public static func micros(_ text: String) -> Int64? {
        var total: Int64 = 0
        var digits = ""
        var sawPart = false
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
                guard digits.count <= 9 else { return nil }
            } else if let unit = unitMicros[character], let value = Int64(digits) {
                total += value * unit
                guard total <= maximumMicros else { return nil }
                digits = ""
                sawPart = true
            } else {
                return nil
            }
        }
        guard digits.isEmpty, sawPart, total > 0 else { return nil }
        return total
    }

    /// `micros` written the way a playbook would (`15m`, `1h30m`, `45s`); sub-second
    /// remainders are dropped.
    public static func text(micros: Int64) -> String {
        var rest = max(0, micros) / 1_000_000
        var text = ""
        for (unit, seconds) in [("d", Int64(86_400)), ("h", 3_600), ("m", 60), ("s", 1)] where rest >= seconds {
            text += "\(rest / seconds)\(unit)"
            rest %= seconds
        }
        return text.isEmpty ? "0s" : text
    }
}
