/// IPv4 addresses (Safe Harbor (O)): four dot-separated octets 0–255 without leading zeros,
/// not part of a longer dotted run (so version strings like `1.2.3.4.5`, `v1.2.3.4` or
/// `1.2.3.4-beta` are skipped), and not a section number: a dotted quad right after `§` or a
/// section word (`§2.1.3.2`, `Section 2.1.3.2`, `clause 4.1.2.3`) refers into a document.
public struct IPv4Detector: TextDetector {
    /// Four dotted numbers.
    public var requiredBytes: [ByteSet] { Self.required }
    private static let required = [ByteSet.digits, ByteSet(".")]

    public init() {}

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        let b = t.bytes
        // An address starts a word: only word starts with a digit are candidates, from
        // `resume` on (past the last address).
        var resume = 0
        for i in t.digitStarts where i >= resume {
            guard i == 0 || b[i - 1] != 0x2E else { continue }
            if let end = Self.parse(t, i) {
                if !Self.isSectionNumber(t, i) {
                    out.append(DetectorMatch(start: i, end: end, kind: "IPv4 address",
                                             masked: "***.***.***." + lastOctet(t, end)))
                }
                resume = end
            }
        }
    }

    private func lastOctet(_ t: ScanText, _ end: Int) -> String {
        var s = end
        while s > 0 && ASCII.isDigit(t.bytes[s - 1]) { s -= 1 }
        return t.string(s, end)
    }

    /// Words that introduce a section number (lowercase; `sec.` and `para.` with their dot).
    static let sectionWords: Set<[UInt8]> = Set(ASCII.lowered(["section", "sections", "sect", "sec", "clause", "clauses",
                                                              "chapter", "paragraph", "para", "subsection"]))

    /// Whether the number at `i` follows `§` (`§2.1.3.2`, `§§ 4.1.2.3`) or a section word
    /// (`Section 2.1.3.2`, `sec. 4.1.2.3`), with spaces between at most.
    static func isSectionNumber(_ t: ScanText, _ i: Int) -> Bool {
        let b = t.bytes
        var j = i
        while j > 0 && b[j - 1] == 0x20 { j -= 1 }
        // `§` is U+00A7: 0xC2 0xA7 in UTF-8.
        if j >= 2 && b[j - 2] == 0xC2 && b[j - 1] == 0xA7 { return true }
        var e = j
        if e > 0 && b[e - 1] == 0x2E { e -= 1 }  // `sec.`
        guard e < i else { return false }  // a word must be set apart by a space or its dot
        var s = e
        while s > 0 && ASCII.isLetter(b[s - 1]) { s -= 1 }
        guard s < e, t.boundaryBefore(s) else { return false }
        return sectionWords.contains(b[s..<e].map(ASCII.lower))
    }

    /// Parses a dotted quad at `i`; returns its end offset.
    static func parse(_ t: ScanText, _ i0: Int) -> Int? {
        var i = i0
        for part in 0..<4 {
            let r = t.digitRun(i)
            guard r >= 1 && r <= 3 else { return nil }
            if r > 1 && t.at(i) == 0x30 { return nil }
            guard t.number(i, i + r) <= 255 else { return nil }
            i += r
            if part < 3 {
                guard t.at(i) == 0x2E else { return nil }
                i += 1
            }
        }
        guard t.boundaryAfter(i), !(t.at(i) == 0x2E && ASCII.isAlnum(t.at(i + 1))) else { return nil }
        // A pre-release suffix (`1.2.3.4-beta`) marks a version, not an address; ranges
        // (`10.0.0.1-10.0.0.9`) are still addresses.
        if t.at(i) == 0x2D && ASCII.isLetter(t.at(i + 1)) { return nil }
        return i
    }
}

/// IPv6 addresses (Safe Harbor (O)): RFC 4291 text forms (eight groups, or fewer with one
/// `::`, optionally ending in a dotted IPv4). Needs at least two colons and one hex digit,
/// so times (`10:30:00`) and MAC addresses (six groups) are not matched.
public struct IPv6Detector: TextDetector {
    /// Groups separated by colons.
    public var requiredBytes: [ByteSet] { Self.required }
    private static let required = [ByteSet(":")]

    public init() {}

    @inline(__always) static func isCandidate(_ b: UInt8) -> Bool { ASCII.isHex(b) || b == 0x3A || b == 0x2E }

    /// Lowercase hex digits, for the pair test below.
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// False when no address can occur: every address with two colons has `::`, or a hex digit
    /// right before a colon and one right after a colon (`2001:db8:…`, `fe80::1`). Text with
    /// colons only in `key: value`, `https://` and times followed by a space is ruled out by
    /// looking up byte pairs instead of walking the bytes.
    static func mayHoldAddress(_ t: ScanText) -> Bool {
        if t.pairs.contains(0x3A, 0x3A) { return true }
        guard hexDigits.contains(where: { t.pairs.contains($0, 0x3A) }) else { return false }
        return hexDigits.contains(where: { t.pairs.contains(0x3A, $0) })
    }

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        guard Self.mayHoldAddress(t) else { return }
        let b = t.bytes
        let n = b.count
        let words = t.wordStarts
        var w = 0
        var i = 0
        // An address starts a word (its first hex group) or with `::`, so the candidates are the
        // word starts and the colons: the bytes between are skipped with one comparison each.
        while i < n {
            while w < words.count && words[w] < i { w += 1 }
            let nextWord = w < words.count ? words[w] : n
            var colon = i
            while colon < nextWord && b[colon] != 0x3A { colon += 1 }
            if colon == n { break }
            i = colon
            let c = b[i]
            guard (ASCII.isHex(c) || c == 0x3A), i == 0 || !(ASCII.isWord(b[i - 1]) || b[i - 1] == 0x3A || b[i - 1] == 0x2E) else {
                i += 1
                continue
            }
            if c != 0x3A {
                // The first group is one to four hex digits and a colon.
                var g = i
                while g < n && g - i < 5 && ASCII.isHex(b[g]) { g += 1 }
                guard g < n, b[g] == 0x3A else { i = g > i ? g : i + 1; continue }
            }
            var e = i
            var colons = 0
            while e < n && Self.isCandidate(b[e]) { if b[e] == 0x3A { colons += 1 }; e += 1 }
            // Trailing sentence punctuation is not part of the address.
            while e > i && b[e - 1] == 0x2E { e -= 1 }
            if colons >= 2, e < n ? !ASCII.isWord(b[e]) : true, Self.valid(Array(b[i..<e])) {
                out.append(DetectorMatch(start: i, end: e, kind: "IPv6 address", masked: "****:****:…"))
            }
            i = max(e, i + 1)
        }
    }

    /// Validates an RFC 4291 textual IPv6 address.
    static func valid(_ s: [UInt8]) -> Bool {
        if s.count < 2 || s.count > 45 { return false }
        var groups = 0
        var doubleColon = false
        var i = 0
        var hexDigits = 0
        if s[0] == 0x3A {
            guard s.count > 1, s[1] == 0x3A else { return false }
            doubleColon = true
            i = 2
            if i == s.count { return false }  // "::" alone is not reported
        }
        while i < s.count {
            // Embedded IPv4 tail.
            var j = i
            while j < s.count && ASCII.isHex(s[j]) { j += 1 }
            if j < s.count && s[j] == 0x2E {
                let tail = ScanText(bytes: Array(s[i...]))
                guard let end = IPv4Detector.parse(tail, 0), end == tail.count else { return false }
                groups += 2
                i = s.count
                break
            }
            let len = j - i
            guard len >= 1 && len <= 4 else { return false }
            groups += 1
            hexDigits += len
            i = j
            if i == s.count { break }
            guard s[i] == 0x3A else { return false }
            i += 1
            if i < s.count && s[i] == 0x3A {
                if doubleColon { return false }
                doubleColon = true
                i += 1
                if i == s.count { break }
            } else if i == s.count {
                return false  // trailing single colon
            }
        }
        if doubleColon { return groups <= 7 && groups >= 1 }
        return groups == 8
    }
}
