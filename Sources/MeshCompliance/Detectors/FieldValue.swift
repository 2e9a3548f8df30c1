/// Where, inside a labelled value, the identifier of a class is: the label says what the
/// value should be, the value must still look like it (`"mrn": "n/a"` is no MRN, and of
/// `Patient: Jane Roe, 54 y/o` only `Jane Roe` is a name).
enum FieldValue {
    /// Values that stand for "nothing here" in fixtures and templates.
    static let emptyWords: Set<String> = [
        "null", "nil", "none", "n/a", "na", "unknown", "redacted", "tbd", "todo", "string", "example", "sample", "test",
        "anonymous", "removed", "withheld", "xxx", "***", "-", "—", "true", "false", "name", "patient", "value", "undefined",
        "required", "optional", "text", "[redacted]", "<redacted>", "masked",
    ]

    /// `emptyWords` as bytes by length, for the check every labelled value goes through.
    static let emptyWordsByLength: [[[UInt8]]] = {
        var byLength = [[[UInt8]]](repeating: [], count: (emptyWords.map(\.utf8.count).max() ?? 0) + 1)
        for w in emptyWords { byLength[w.utf8.count].append(Array(w.utf8)) }
        return byLength
    }()

    /// Whether `b[s..<e]`, ASCII-lowercased, is one of `emptyWords` (compared in place: no
    /// string is built for the many values that are not).
    static func isEmptyWord(_ b: [UInt8], _ s: Int, _ e: Int) -> Bool {
        guard e - s < emptyWordsByLength.count else { return false }
        for w in emptyWordsByLength[e - s] {
            var k = 0
            while k < w.count && ASCII.lower(b[s + k]) == w[k] { k += 1 }
            if k == w.count { return true }
        }
        return false
    }

    /// The identifier's byte range inside `[s, e)`, or `nil` when the value does not look
    /// like one.
    static func span(_ cls: IdentifierClass, _ t: ScanText, _ s0: Int, _ e0: Int, ambiguous: Bool = false) -> (Int, Int)? {
        let b = t.bytes
        var s = s0, e = e0
        while s < e && (ASCII.isWhitespace(b[s]) || b[s] == 0x22 || b[s] == 0x27) { s += 1 }
        while e > s && (ASCII.isWhitespace(b[e - 1]) || b[e - 1] == 0x22 || b[e - 1] == 0x27) { e -= 1 }
        guard e > s else { return nil }
        // Template references and "nothing here" words (all short).
        if b[s] == 0x24 || b[s] == 0x3C || b[s] == 0x7B || b[s] == 0x5B || b[s] == 0x25 { return nil }
        if isEmptyWord(b, s, e) { return nil }
        switch cls {
        case .name: return name(t, s, e, ambiguous: ambiguous)
        case .city: return city(t, s, e)
        case .streetAddress:
            var letters = 0, digits = 0
            for k in s..<e { if ASCII.isLetter(b[k]) || b[k] >= 0x80 { letters += 1 } else if ASCII.isDigit(b[k]) { digits += 1 } }
            return letters >= 3 && e - s >= 5 && (digits > 0 || b[s..<e].contains(0x20)) ? (s, e) : nil
        case .zip:
            guard let first = (s..<e).first(where: { ASCII.isDigit(b[$0]) }), t.digitRun(first) == 5 else { return nil }
            var end = first + 5
            if t.at(end) == 0x2D && t.digitRun(end + 1) == 4 { end += 5 }
            return (first, end)
        case .date:
            return date(t, s, e)
        case .ssn:
            return digits(t, s, e, count: 9...9, separators: ssnSeparators)
        case .phone, .fax:
            return digits(t, s, e, count: 10...11, separators: phoneSeparators)
        case .email:
            guard let at = (s..<e).first(where: { b[$0] == 0x40 }), at > s, (at..<e).contains(where: { b[$0] == 0x2E }) else { return nil }
            return (s, e)
        case .mrn, .healthPlan, .account, .license, .vehicle, .device, .otherIdentifier:
            // One token of letters, digits and `- . /` with enough digits to identify.
            var k = s
            while k < e && (ASCII.isAlnum(b[k]) || b[k] == 0x2D || b[k] == 0x2E || b[k] == 0x2F || b[k] == 0x5F) { k += 1 }
            var digitCount = 0, distinct: UInt16 = 0  // bit d: digit d occurs
            for x in s..<k where ASCII.isDigit(b[x]) { digitCount += 1; distinct |= 1 << UInt16(b[x] &- 0x30) }
            guard digitCount >= 4 || (digitCount >= 3 && k - s >= 6), distinct.nonzeroBitCount >= 2 else { return nil }
            return (s, k)
        case .age:
            // An age element's value (``AgeElements``): reported from 90 years on.
            let r = t.digitRun(s)
            guard r == 2 || r == 3, (90...130).contains(t.number(s, s + r)) else { return nil }
            return (s, s + r)
        case .url, .ip, .secret:
            return nil
        }
    }

    /// Title-case or all-caps words (with `' - .` inside, initials, non-ASCII letters),
    /// separated by spaces or a `, ` (`Roe, Jane`): at most four, starting at `s`.
    static func name(_ t: ScanText, _ s: Int, _ e: Int, ambiguous: Bool) -> (Int, Int)? {
        let b = t.bytes
        var k = s
        var words: [(Int, Int)] = []
        while k < e && words.count < 4 {
            guard ASCII.isUpper(b[k]) || b[k] >= 0xC0 else { break }
            let ws = k
            k += 1
            while k < e && (ASCII.isLetter(b[k]) || b[k] >= 0x80 || ((b[k] == 0x27 || b[k] == 0x2D) && k + 1 < e && ASCII.isLetter(b[k + 1]))) { k += 1 }
            if k < e && b[k] == 0x2E && k - ws == 1 { k += 1 }  // initial "J."
            words.append((ws, k))
            if k + 1 < e && b[k] == 0x20 && (ASCII.isUpper(b[k + 1]) || b[k + 1] >= 0xC0) { k += 1; continue }
            if k + 2 < e && b[k] == 0x2C && b[k + 1] == 0x20 && ASCII.isUpper(b[k + 2]) && words.count == 1 { k += 2; continue }
            break
        }
        guard let first = words.first, let last = words.last else { return nil }
        let text = String(decoding: b[first.0..<last.1], as: UTF8.self).lowercased()
        if emptyWords.contains(text) || text.count < 2 { return nil }
        if ambiguous {
            // `name:` alone names services, tools and teams as often as people: a person's
            // name here is two or more words starting with a known first name.
            guard words.count >= 2, CensusNames.firstNames.contains(b, first.0, first.1) || CensusNames.surnames.contains(b, last.0, last.1),
                  words.allSatisfy({ $0.1 - $0.0 >= 1 }) else { return nil }
            // The value must end with the name (no trailing "Service", "Team", "v2"…).
            var rest = last.1
            while rest < e && ASCII.isWhitespace(b[rest]) { rest += 1 }
            guard rest == e else { return nil }
        }
        return (first.0, last.1)
    }

    /// Words that make a nearby `name` a person's.
    static let personWords: Set<String> = ["patient", "patients", "person", "member", "subscriber", "guarantor", "insured",
                                           "resident", "kin", "beneficiary", "client", "relatedperson", "guardian"]

    /// Whether a person word occurs within `window` bytes before `offset` (same statement or
    /// enclosing block: `Patient(name: …)`, `patient:\n  name: …`).
    static func personWordBefore(_ t: ScanText, _ offset: Int, window: Int = 160) -> Bool {
        let b = t.bytes
        var k = offset
        let floor = max(0, offset - window)
        while k > floor {
            k -= 1
            guard ASCII.isLetter(b[k]) else { continue }
            var ws = k
            while ws > floor && ASCII.isLetter(b[ws - 1]) { ws -= 1 }
            let length = k - ws + 1
            if length >= 3 && length <= 14 {
                // Split camel case: `testPatient`, `PatientRecord`.
                var start = ws
                for x in ws...k {
                    if x > start && ASCII.isUpper(b[x]) && ASCII.isLower(b[x - 1]) {
                        if personWords.contains(String(decoding: b[start..<x].map(ASCII.lower), as: UTF8.self)) { return true }
                        start = x
                    }
                }
                if personWords.contains(String(decoding: b[start...k].map(ASCII.lower), as: UTF8.self)) { return true }
            }
            k = ws
        }
        return false
    }

    static func city(_ t: ScanText, _ s: Int, _ e: Int) -> (Int, Int)? {
        let b = t.bytes
        guard ASCII.isUpper(b[s]) else { return nil }
        var k = s
        while k < e && (ASCII.isLetter(b[k]) || b[k] == 0x20 || b[k] == 0x2E || b[k] == 0x2D || b[k] == 0x27 || b[k] >= 0x80) { k += 1 }
        while k > s && b[k - 1] == 0x20 { k -= 1 }
        return k - s >= 2 ? (s, k) : nil
    }

    /// A date inside the value: any form the date detector knows, or HL7/compact
    /// `YYYYMMDD[HHMM[SS]]`.
    static func date(_ t: ScanText, _ s: Int, _ e: Int) -> (Int, Int)? {
        let b = t.bytes
        guard let first = (s..<e).first(where: { ASCII.isDigit(b[$0]) || ASCII.isLetter(b[$0]) }) else { return nil }
        let run = t.digitRun(first)
        if run >= 8 && run <= 14 && first + run <= e {
            let y = t.number(first, first + 4), m = t.number(first + 4, first + 6), d = t.number(first + 6, first + 8)
            if DateDetector.plausibleYear(y) && DateDetector.month(m) && DateDetector.day(d) { return (first, first + run) }
            return nil
        }
        if let end = DateDetector().dateEnd(t, at: first), end <= e { return (first, end) }
        return nil
    }

    /// Built once: a set literal at the call builds a set per labelled value.
    static let ssnSeparators = ByteSet([0x2D, 0x20])
    static let phoneSeparators = ByteSet([0x2D, 0x20, 0x2E, 0x28, 0x29, 0x2B])

    /// `count` digits, possibly separated by `separators`, from the first digit.
    static func digits(_ t: ScanText, _ s: Int, _ e: Int, count: ClosedRange<Int>, separators: ByteSet) -> (Int, Int)? {
        let b = t.bytes
        var k = s
        while k < e && !ASCII.isDigit(b[k]) && (b[k] == 0x2B || b[k] == 0x28) { k += 1 }
        let start = k
        var digits = 0
        var lastDigit = k
        while k < e && (ASCII.isDigit(b[k]) || separators.contains(b[k])) {
            if ASCII.isDigit(b[k]) { digits += 1; lastDigit = k + 1 }
            k += 1
        }
        guard count.contains(digits), lastDigit > start else { return nil }
        if k < e && ASCII.isAlnum(b[k]) { return nil }
        var begin = start
        while begin < lastDigit && !ASCII.isDigit(b[begin]) && b[begin] != 0x28 && b[begin] != 0x2B { begin += 1 }
        return (begin, lastDigit)
    }
}
