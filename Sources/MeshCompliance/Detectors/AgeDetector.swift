/// Ages over 89 (Safe Harbor (C): must be aggregated into "90 or older").
///
/// Matches a number 90–130 written as an age: `age 93`, `aged 93`, `age: 93`,
/// `93-year-old`, `93 years old`, `93 y/o`, `93 yo`, `93 yrs`.
public struct AgeOver89Detector: TextDetector {
    /// 90–130 starts with `9` or `1`.
    public var requiredBytes: [ByteSet] { Self.required }
    private static let required = [ByteSet("19")]

    public init() {}

    static let before = ASCII.lowered(["age", "aged", "ages"])
    static let after: [[UInt8]] = ASCII.lowered([
        "-year-old", " year old", " years old", "-years-old", " years of age", " y/o", " yo", "yo", " y.o.", " yrs", " yr old",
    ])

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        // An age starts a word: only word starts with a digit are candidates.
        for i in t.digitStarts {
            let r = t.digitRun(i)
            let end = i + r
            if (r == 2 || r == 3), (90...130).contains(t.number(i, end)), !(t.at(end) == 0x2E && ASCII.isDigit(t.at(end + 1))) {
                var hit = false
                for suffix in Self.after where t.matchesLower(suffix, at: end) {
                    let e = end + suffix.count
                    if suffix.last == 0x2E || t.boundaryAfter(e) { hit = true; break }
                }
                if !hit { hit = labelledBefore(t, i) }
                if hit {
                    out.append(DetectorMatch(start: i, end: end, kind: "age over 89", masked: "age ≥90"))
                }
            }
        }
    }

    /// `age`/`aged` followed by optional `:`/`=`/`of` and spaces right before `i`; the label may
    /// be a quoted key (`"age": 95`, `'age': 95`) or end a key (`patient_age: 93`, `PATIENT-AGE=91`).
    private func labelledBefore(_ t: ScanText, _ i: Int) -> Bool {
        // A quoted value (`"age": "95"`) starts after its quote.
        let valueStart = i > 0 && (t.bytes[i - 1] == 0x22 || t.bytes[i - 1] == 0x27) ? i - 1 : i
        var j = valueStart
        while j > 0 && (ASCII.isSpace(t.bytes[j - 1]) || t.bytes[j - 1] == 0x3A || t.bytes[j - 1] == 0x3D) { j -= 1 }
        if j == valueStart && valueStart > 0 { return false }
        if j > 0 && (t.bytes[j - 1] == 0x22 || t.bytes[j - 1] == 0x27) { j -= 1 }  // the closing quote of a quoted key
        if j >= 2 && t.matchesLower(Array("of".utf8), at: j - 2) && (j - 2 == 0 || !ASCII.isWord(t.bytes[j - 3])) {
            j -= 2
            while j > 0 && ASCII.isSpace(t.bytes[j - 1]) { j -= 1 }
        }
        for w in Self.before where j >= w.count && t.matchesLower(w, at: j - w.count) {
            let k = j - w.count
            if t.boundaryBefore(k) || t.bytes[k - 1] == 0x5F || t.bytes[k - 1] == 0x2D { return true }
        }
        return false
    }
}
