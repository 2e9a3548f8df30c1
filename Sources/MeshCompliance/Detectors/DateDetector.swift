/// Dates more precise than a year (Safe Harbor (C)).
///
/// Numeric: `M/D/YYYY`, `M/D/YY`, `M-D-YYYY`, `D.M.YYYY`, `YYYY-MM-DD`, `YYYY/MM/DD`
/// (month 1–12, day 1–31; either day-first or month-first must be valid).
/// Month names (full or 3/4-letter abbreviation, optional `.`): `Jan 5, 2020`, `January 5th`,
/// `5 January 2020`, `March 2020`. The word `may` only counts when a year follows.
/// A bare year (`2020`) is not a finding.
public struct DateDetector: TextDetector {
    /// Every form has a day or a year in digits.
    public var requiredBytes: [ByteSet] { [.digits] }

    public init() {}

    static let may = Array("may".utf8)
    static let of = Array("of ".utf8)
    static let ordinals = ASCII.lowered(["st", "nd", "rd", "th"])

    static let monthInitials: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for c in "jfmasond".utf8 { table[Int(c)] = true }
        return table
    }()

    static let months: [([UInt8], Int)] = {
        let names = ["january", "february", "march", "april", "may", "june", "july", "august",
                     "september", "october", "november", "december"]
        var out: [([UInt8], Int)] = []
        for (k, name) in names.enumerated() {
            out.append((Array(name.utf8), k + 1))
            if name.count > 3 { out.append((Array(name.prefix(3).utf8), k + 1)) }
        }
        out.append((Array("sept".utf8), 9))
        return out.sorted { $0.0.count > $1.0.count }
    }()

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        let b = t.bytes
        let n = b.count
        var i = 0
        while i < n {
            let c = b[i]
            if ASCII.isDigit(c) && t.boundaryBefore(i) && (i == 0 || (b[i - 1] != 0x2E && b[i - 1] != 0x2F && b[i - 1] != 0x2D)) {
                if let end = numeric(t, i) ?? dayFirstName(t, i) {
                    out.append(DetectorMatch(start: i, end: end, kind: "date", masked: Mask.all(t.string(i, end))))
                    i = end
                    continue
                }
                i += max(1, t.digitRun(i))
                continue
            }
            if ASCII.isLetter(c) && t.boundaryBefore(i) {
                if let end = monthFirst(t, i) {
                    out.append(DetectorMatch(start: i, end: end, kind: "date", masked: Mask.all(t.string(i, end))))
                    i = end
                    continue
                }
                while i < n && ASCII.isWord(b[i]) { i += 1 }
                continue
            }
            i += 1
        }
    }

    // MARK: numeric forms

    private func numeric(_ t: ScanText, _ i: Int) -> Int? {
        let r1 = t.digitRun(i)
        let s1 = t.at(i + r1)
        guard s1 == 0x2F || s1 == 0x2D || s1 == 0x2E else { return nil }
        let j = i + r1 + 1
        let r2 = t.digitRun(j)
        guard r2 >= 1 && r2 <= 2, t.at(j + r2) == s1 else { return nil }
        let k = j + r2 + 1
        let r3 = t.digitRun(k)
        let end = k + r3
        guard t.boundaryAfter(end), !((t.at(end) == s1 || t.at(end) == 0x2E) && ASCII.isDigit(t.at(end + 1))) else { return nil }
        let a = t.number(i, i + r1), m = t.number(j, j + r2), z = t.number(k, end)
        if r1 == 4 {
            // YYYY-MM-DD
            guard r3 >= 1 && r3 <= 2 else { return nil }
            return Self.plausibleYear(a) && Self.month(m) && Self.day(z) ? end : nil
        }
        guard r1 <= 2, r3 == 2 || r3 == 4 else { return nil }
        if r3 == 4 && !Self.plausibleYear(z) { return nil }
        // Month-first or day-first.
        let ok = (Self.month(a) && Self.day(m)) || (Self.day(a) && Self.month(m))
        // Two-part dotted numbers like 1.2.34 are version-like: require a 4-digit year for dots.
        if s1 == 0x2E && r3 != 4 { return nil }
        return ok ? end : nil
    }

    // MARK: month-name forms

    private func monthName(_ t: ScanText, _ i: Int) -> Int? {
        let c = ASCII.lower(t.at(i))
        guard Self.monthInitials[Int(c)] else { return nil }
        for (name, _) in Self.months where name[0] == c && t.matchesLower(name, at: i) {
            var e = i + name.count
            if !t.boundaryAfter(e) { continue }
            if t.at(e) == 0x2E && name.count <= 4 { e += 1 }
            return e
        }
        return nil
    }

    /// `Jan 5`, `Jan 5, 2020`, `January 5th 2020`, `March 2020`.
    private func monthFirst(_ t: ScanText, _ i: Int) -> Int? {
        guard let mEnd = monthName(t, i) else { return nil }
        let isMay = t.matchesLower(Self.may, at: i) && mEnd == i + 3
        var j = mEnd
        guard ASCII.isSpace(t.at(j)) else { return nil }
        while ASCII.isSpace(t.at(j)) { j += 1 }
        let r = t.digitRun(j)
        if r == 4 {
            guard Self.plausibleYear(t.number(j, j + 4)), t.boundaryAfter(j + 4) else { return nil }
            return j + 4
        }
        guard r >= 1 && r <= 2, Self.day(t.number(j, j + r)) else { return nil }
        var e = j + r
        if let s = ordinalSuffix(t, e) { e = s }
        guard t.boundaryAfter(e) else { return nil }
        // Optional year.
        var k = e
        if t.at(k) == 0x2C { k += 1 }
        if ASCII.isSpace(t.at(k)) {
            while ASCII.isSpace(t.at(k)) { k += 1 }
            if t.digitRun(k) == 4 && Self.plausibleYear(t.number(k, k + 4)) && t.boundaryAfter(k + 4) {
                return k + 4
            }
        }
        return isMay ? nil : e
    }

    /// `5 January 2020`, `5th Jan`.
    private func dayFirstName(_ t: ScanText, _ i: Int) -> Int? {
        let r = t.digitRun(i)
        guard r >= 1 && r <= 2, Self.day(t.number(i, i + r)) else { return nil }
        var j = i + r
        if let s = ordinalSuffix(t, j) { j = s }
        guard ASCII.isSpace(t.at(j)) else { return nil }
        while ASCII.isSpace(t.at(j)) { j += 1 }
        if t.matchesLower(Self.of, at: j) { j += 3 }
        guard let mEnd = monthName(t, j) else { return nil }
        let isMay = t.matchesLower(Self.may, at: j) && mEnd == j + 3
        var k = mEnd
        if t.at(k) == 0x2C { k += 1 }
        if ASCII.isSpace(t.at(k)) {
            while ASCII.isSpace(t.at(k)) { k += 1 }
            if t.digitRun(k) == 4 && Self.plausibleYear(t.number(k, k + 4)) && t.boundaryAfter(k + 4) {
                return k + 4
            }
        }
        return isMay ? nil : mEnd
    }

    private func ordinalSuffix(_ t: ScanText, _ e: Int) -> Int? {
        for s in Self.ordinals where t.matchesLower(s, at: e) && t.boundaryAfter(e + 2) {
            return e + 2
        }
        return nil
    }

    @inline(__always) static func month(_ m: Int) -> Bool { m >= 1 && m <= 12 }
    @inline(__always) static func day(_ d: Int) -> Bool { d >= 1 && d <= 31 }
    @inline(__always) static func plausibleYear(_ y: Int) -> Bool { y >= 1800 && y <= 2199 }
}
