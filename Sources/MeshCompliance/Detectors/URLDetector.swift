/// Web URLs (Safe Harbor (N)): `http://`, `https://`, `ftp://` and bare `www.` hosts.
/// The URL runs until whitespace, a quote, `<`, `>` or a backtick; trailing `.,;:!?)]}` are trimmed.
/// Use the rule allow-list for documentation hosts (e.g. `https://www.hhs.gov/*`).
public struct URLDetector: TextDetector {
    /// A scheme (`http`, `ftp`, `www`) and its `/` or `.`.
    public var requiredBytes: [ByteSet] { Self.required }
    private static let required = [ByteSet.eitherCase("hfw"), ByteSet("/.")]

    public init() {}

    static let schemes = ASCII.lowered(["https://", "http://", "ftp://", "www."])

    @inline(__always) static func stops(_ b: UInt8) -> Bool {
        ASCII.isWhitespace(b) || b == 0x22 || b == 0x27 || b == 0x3C || b == 0x3E || b == 0x60 || b < 0x20
    }

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        guard t.mayContainAny(Self.schemes) else { return }
        let b = t.bytes
        let n = b.count
        let schemes = Self.schemes
        // A scheme starts a word: only word starts are candidates, from `resume` on (past the
        // last URL).
        var resume = 0
        for i in t.wordStarts where i >= resume {
            let c = ASCII.lower(b[i])
            guard c == 0x68 || c == 0x66 || c == 0x77 else { continue }
            var matched = 0
            for s in schemes where s[0] == c && t.matchesLower(s, at: i) { matched = s.count; break }
            guard matched > 0, i + matched < n, ASCII.isAlnum(b[i + matched]) else { continue }
            var e = i + matched
            while e < n && !Self.stops(b[e]) { e += 1 }
            while e > i + matched {
                let l = b[e - 1]
                if l == 0x2E || l == 0x2C || l == 0x3B || l == 0x3A || l == 0x21 || l == 0x3F || l == 0x29 || l == 0x5D || l == 0x7D {
                    e -= 1
                } else { break }
            }
            let host = hostOf(t, i + matched, e)
            out.append(DetectorMatch(start: i, end: e, kind: "URL", masked: "\(t.string(i, i + matched))\(host)/…"))
            resume = e
        }
    }

    /// Host part with all but the last label masked (`***.example.org` → `***.org`).
    private func hostOf(_ t: ScanText, _ s: Int, _ e: Int) -> String {
        var h = s
        while h < e && t.bytes[h] != 0x2F && t.bytes[h] != 0x3F && t.bytes[h] != 0x23 && t.bytes[h] != 0x3A { h += 1 }
        // The last non-empty label, found on the bytes (splitting a string per URL showed up
        // in profiles of the evaluation set).
        var end = h
        while end > s && t.bytes[end - 1] == 0x2E { end -= 1 }
        var start = end
        while start > s && t.bytes[start - 1] != 0x2E { start -= 1 }
        return "***." + t.string(start, end)
    }
}
