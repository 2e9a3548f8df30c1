/// Dates more precise than a year (Safe Harbor (C)).
///
/// Numeric: `M/D/YYYY`, `M/D/YY`, `M-D-YYYY`, `D.M.YYYY`, `YYYY-MM-DD`, `YYYY/MM/DD`
/// (month 1–12, day 1–31; either day-first or month-first must be valid).
/// Month names (full or 3/4-letter abbreviation, optional `.`): `Jan 5, 2020`, `January 5th`,
/// `5 January 2020`, `March 2020`. The word `may` only counts when a year follows.
/// Also `DD-Mon-YYYY` (`05-Mar-1961`). A bare year (`2020`) is not a finding.
///
/// With `personDatesOnly`, a date counts only when it is about a person (Safe Harbor (C)
/// covers birth, admission, discharge, death and service dates, not the dates of software):
/// the nearest context word before it on its line decides (`DOB`, `admitted`, `seen on` →
/// PHI; `released`, `copyright`, `updated`, `version` → not); a date opening a line and
/// followed by a time is a log timestamp; with no context word, the date counts when the
/// artifact is about a person (``DocumentStructure/aboutPerson``). Labelled fields decide
/// before any of this (see ``FieldAwareDetector``). `Policies/README.md` states the rule.
public struct DateDetector: TextDetector {
    /// Every form has a day or a year in digits.
    public var requiredBytes: [ByteSet] { [.digits] }

    /// Report only dates about a person (see the type's documentation).
    public let personDatesOnly: Bool

    public init(personDatesOnly: Bool = false) { self.personDatesOnly = personDatesOnly }

    /// End of a date starting at `i` in any supported form, or `nil`.
    func dateEnd(_ t: ScanText, at i: Int) -> Int? {
        if ASCII.isDigit(t.at(i)) { return numeric(t, i) ?? dayFirstName(t, i) ?? dayMonthAbbreviation(t, i) }
        if ASCII.isLetter(t.at(i)) { return monthFirst(t, i) }
        return nil
    }

    /// Words that make the date after them about a person (matched as word prefixes).
    static let personContext = ["birth", "born", "dob", "d.o.b", "admit", "admission", "discharg", "died", "death",
                                "deceased", "expired", "seen", "visit", "surger", "procedure", "appointment", "encounter",
                                "service", "dos", "onset", "diagnos", "injur", "deliver", "vaccinat", "immuniz", "collected",
                                "specimen", "presented", "transferred", "operat", "examined", "treated", "hospitali"]
    /// Words that make the date after them about the system or the document.
    static let systemContext = ["releas", "version", "copyright", "updated", "created", "modified", "build", "built",
                                "publish", "deploy", "generated", "timestamp", "changelog", "expire", "effective", "last",
                                "since", "tagged", "merged", "commit", "sprint", "deadline", "revision", "rev", "issued",
                                "approved", "ga", "eol", "v"]

    static let personContextBytes = ASCII.lowered(personContext)
    static let systemContextBytes = ASCII.lowered(systemContext)

    /// Whether the date at `[s, e)` is about a person (`personDatesOnly`).
    func aboutPerson(_ t: ScanText, _ s: Int, _ e: Int) -> Bool {
        let b = t.bytes
        var lineStart = s
        while lineStart > 0 && b[lineStart - 1] != 0x0A { lineStart -= 1 }
        // `2024-03-05T10:22:01Z INFO …`, `[2024-03-05 10:22:01]`: a log line's own time.
        var k = lineStart
        while k < s && (b[k] == 0x5B || b[k] == 0x20 || b[k] == 0x09) { k += 1 }
        if k == s && (t.at(e) == 0x54 || t.at(e) == 0x20) && ASCII.isDigit(t.at(e + 1)) { return false }
        if t.at(e) == 0x54 && ASCII.isDigit(t.at(e + 1)) && t.at(e + 3) == 0x3A {
            // An ISO timestamp with a time of day is machine-written unless a person word says otherwise.
            if let w = contextWord(t, lineStart, s) { return w }
            return false
        }
        if let w = contextWord(t, lineStart, s) { return w }
        return t.structure.aboutPerson
    }

    /// The nearest context word before `s` within 60 bytes on the line: `true` person,
    /// `false` system, `nil` none. `©` and `(c)` count as copyright.
    private func contextWord(_ t: ScanText, _ lineStart: Int, _ s: Int) -> Bool? {
        let b = t.bytes
        var k = s
        let floor = max(lineStart, s - 60)
        while k > floor {
            k -= 1
            if b[k] == 0xA9 && k > 0 && b[k - 1] == 0xC2 { return false }
            if b[k] == 0x29 && k >= 2 && (b[k - 1] | 0x20) == 0x63 && b[k - 2] == 0x28 { return false }
            guard ASCII.isLetter(b[k]) else { continue }
            var ws = k
            while ws > floor && (ASCII.isLetter(b[ws - 1]) || b[ws - 1] == 0x2E) { ws -= 1 }
            let length = k - ws + 1
            defer { k = ws }
            if Self.personContextBytes.contains(where: { $0.count <= length && t.matchesLower($0, at: ws) }) { return true }
            if length <= 3 {
                if Self.systemContextBytes.contains(where: { $0.count == length && t.matchesLower($0, at: ws) }) { return false }
            } else if Self.systemContextBytes.contains(where: { $0.count > 3 && $0.count <= length && t.matchesLower($0, at: ws) }) {
                return false
            }
        }
        return nil
    }

    /// `05-Mar-1961`, `5-MAR-61`.
    private func dayMonthAbbreviation(_ t: ScanText, _ i: Int) -> Int? {
        let r = t.digitRun(i)
        guard r >= 1 && r <= 2, Self.day(t.number(i, i + r)), t.at(i + r) == 0x2D else { return nil }
        let m = i + r + 1
        guard let mEnd = monthName(t, m), mEnd - m == 3, t.at(mEnd) == 0x2D else { return nil }
        let y = mEnd + 1
        let yr = t.digitRun(y)
        guard (yr == 4 && Self.plausibleYear(t.number(y, y + 4))) || yr == 2, t.boundaryAfter(y + yr) else { return nil }
        return y + yr
    }

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
        // Every form starts a word (a digit or a month name after a word boundary): only word
        // starts are candidates, from `resume` on (past the last date).
        var resume = 0
        for i in t.wordStarts where i >= resume {
            let c = b[i]
            var end: Int?
            if ASCII.isDigit(c) {
                guard i == 0 || (b[i - 1] != 0x2E && b[i - 1] != 0x2F && b[i - 1] != 0x2D) else { continue }
                end = numeric(t, i) ?? dayFirstName(t, i) ?? dayMonthAbbreviation(t, i)
            } else if ASCII.isLetter(c) {
                end = monthFirst(t, i)
            }
            guard let end else { continue }
            resume = end
            if personDatesOnly && !aboutPerson(t, i, end) { continue }
            out.append(DetectorMatch(start: i, end: end, kind: "date", masked: Mask.all(t.string(i, end))))
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

    /// The twelve three-letter abbreviations as keys (`prefixKey`), and each month's forms
    /// (`january`, `jan`), longest first, at the same index.
    static let monthPrefixes: (keys: [UInt32], forms: [[[UInt8]]]) = {
        var keys: [UInt32] = [], forms: [[[UInt8]]] = []
        for (name, _) in months {
            let key = prefixKey(name[0], name[1], name[2])
            if let k = keys.firstIndex(of: key) { forms[k].append(name) } else { keys.append(key); forms.append([name]) }
        }
        return (keys, forms)
    }()

    @inline(__always) static func prefixKey(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt32 {
        UInt32(ASCII.lower(a)) | UInt32(ASCII.lower(b)) << 8 | UInt32(ASCII.lower(c)) << 16
    }

    private func monthName(_ t: ScanText, _ i: Int) -> Int? {
        let c = ASCII.lower(t.at(i))
        guard Self.monthInitials[Int(c)] else { return nil }
        // Every form starts with its month's three-letter abbreviation, and no two months share
        // one: one table look-up leaves only that month's forms to compare.
        let prefixes = Self.monthPrefixes
        guard let k = prefixes.keys.firstIndex(of: Self.prefixKey(t.at(i), t.at(i + 1), t.at(i + 2))) else { return nil }
        for name in prefixes.forms[k] where t.matchesLower(name, at: i) {
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
