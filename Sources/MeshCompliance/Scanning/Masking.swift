/// Masking of sensitive values before they appear in findings.
///
/// Verdicts are stored and displayed widely, so no finding may carry a full identifier
/// or secret. The helpers keep just enough to let a reviewer find the spot.
public enum Mask {
    /// Replaces every letter/digit with `*` except the last `keepLast` letters/digits;
    /// punctuation is kept so the shape stays recognisable (`***-**-6789`).
    public static func keepingLast(_ value: String, _ keepLast: Int) -> String {
        if value.utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII (nearly every match): bytes, without Unicode property look-ups.
            let bytes = Array(value.utf8)
            var toMask = max(0, bytes.reduce(0) { $0 + (ASCII.isAlnum($1) ? 1 : 0) } - keepLast)
            var out = bytes
            for k in out.indices where toMask > 0 && ASCII.isAlnum(out[k]) {
                out[k] = 0x2A
                toMask -= 1
            }
            return String(decoding: out, as: UTF8.self)
        }
        let scalars = Array(value.unicodeScalars)
        let alnumCount = scalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) }.count
        var toMask = max(0, alnumCount - keepLast)
        var out = String.UnicodeScalarView()
        for s in scalars {
            let isAlnum = s.properties.isAlphabetic || ("0"..."9").contains(s)
            if isAlnum && toMask > 0 {
                out.append("*")
                toMask -= 1
            } else {
                out.append(s)
            }
        }
        return String(out)
    }

    /// Fully masks letters and digits, keeping punctuation (`**/**/****`).
    public static func all(_ value: String) -> String { keepingLast(value, 0) }

    /// Keeps a known, non-secret prefix (e.g. `AKIA`, `ghp_`) and hides the rest,
    /// reporting only the length: `ghp_… (40 chars)`.
    public static func secret(_ value: String, prefix: Int) -> String {
        let p = String(value.prefix(prefix))
        return "\(p)… (\(value.count) chars)"
    }

    /// Email: first character of the local part, and the top-level domain only
    /// (`j***@***.org`).
    public static func email(_ value: String) -> String {
        // ASCII without CR (every e-mail detector match; `\r\n` is one Character): from bytes,
        // without Character breaking, which made this most of the e-mail detector's time.
        if value.utf8.allSatisfy({ $0 < 0x80 && $0 != 0x0D }) { return asciiEmail(Array(value.utf8)) }
        guard let at = value.firstIndex(of: "@") else { return all(value) }
        let local = value[..<at]
        let domain = value[value.index(after: at)...]
        let tld = domain.split(separator: ".").last.map(String.init) ?? ""
        return "\(local.prefix(1))***@***.\(tld)"
    }

    /// `email(_:)` of an ASCII value, the same result computed on bytes.
    private static func asciiEmail(_ v: [UInt8]) -> String {
        guard let at = v.firstIndex(of: 0x40) else { return all(String(decoding: v, as: UTF8.self)) }
        // The last non-empty dot-separated label of the domain (`split` drops empty ones).
        var end = v.count
        while end > at + 1 && v[end - 1] == 0x2E { end -= 1 }
        var dot = end
        while dot > at + 1 && v[dot - 1] != 0x2E { dot -= 1 }
        return String(decoding: v[0..<min(at, 1)], as: UTF8.self) + "***@***." + String(decoding: v[dot..<end], as: UTF8.self)
    }

    /// Truncates a non-sensitive but possibly long value for display.
    static func truncate(_ value: String, _ limit: Int = 40) -> String {
        value.count <= limit ? value : String(value.prefix(limit)) + "…"
    }
}
