/// Email addresses (Safe Harbor (F)): `local@domain.tld` with a letters-only TLD of 2+ chars.
public struct EmailDetector: TextDetector {
    /// `@`, and a dot in the domain.
    public var requiredBytes: [ByteSet] { Self.required }
    private static let required = [ByteSet("@"), ByteSet(".")]

    public init() {}

    @inline(__always) static func isLocal(_ b: UInt8) -> Bool {
        ASCII.isAlnum(b) || b == 0x2E || b == 0x5F || b == 0x25 || b == 0x2B || b == 0x2D
    }

    @inline(__always) static func isDomain(_ b: UInt8) -> Bool { ASCII.isAlnum(b) || b == 0x2E || b == 0x2D }

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        let b = t.bytes
        let n = b.count
        var i = 0
        var lastEnd = 0
        while i < n {
            guard b[i] == 0x40 else { i += 1; continue }
            var s = i
            while s > lastEnd && Self.isLocal(b[s - 1]) { s -= 1 }
            while s < i && !ASCII.isAlnum(b[s]) { s += 1 }  // local part starts with alnum
            var e = i + 1
            while e < n && Self.isDomain(b[e]) { e += 1 }
            while e > i + 1 && (b[e - 1] == 0x2E || b[e - 1] == 0x2D) { e -= 1 }  // trailing punctuation
            guard s < i, e > i + 1 else { i += 1; continue }
            // Domain needs a dot and a letters-only TLD of at least 2 characters.
            var dot = e - 1
            while dot > i && b[dot] != 0x2E { dot -= 1 }
            guard dot > i + 1, e - dot - 1 >= 2 else { i += 1; continue }
            var tldOK = true
            for k in (dot + 1)..<e where !ASCII.isLetter(b[k]) { tldOK = false; break }
            guard tldOK else { i += 1; continue }
            out.append(DetectorMatch(start: s, end: e, kind: "email address", masked: Mask.email(t.string(s, e))))
            lastEnd = e
            i = e
        }
    }
}
