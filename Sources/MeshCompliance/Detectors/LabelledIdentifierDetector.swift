/// Identifiers recognisable only by their label: medical record numbers, account numbers,
/// health plan beneficiary numbers, certificate/license numbers, device serials
/// (Safe Harbor (H)–(K), (M)).
///
/// A match is `<label> [number|no|num|nbr|id|#] [:#=.-]* <value>` on one line, where the label
/// is one of the configured (case-insensitive, whole-word) labels and the value is a run of
/// letters, digits and `-` containing at least `minDigits` digits. Only the value is reported.
public struct LabelledIdentifierDetector: TextDetector {
    /// Values have at least `minDigits` (≥ 1) digits.
    public var requiredBytes: [ByteSet] { [.digits] }

    /// Lowercased labels.
    let labels: [[UInt8]]
    /// Kind reported in findings, e.g. `medical record number`.
    public let kind: String
    /// Minimum number of digits in the value.
    public let minDigits: Int

    /// Lowercase first letters of the labels.
    let initials: [Bool]

    static let fillerWords = ASCII.lowered(["number", "numbers", "no", "num", "nbr", "id", "identifier"])

    public init(labels: [String], kind: String, minDigits: Int = 4) {
        // Longest first so "account number" wins over "account".
        self.labels = ASCII.lowered(labels).sorted { $0.count > $1.count }
        self.kind = kind
        self.minDigits = minDigits
        var table = [Bool](repeating: false, count: 256)
        for l in self.labels where !l.isEmpty { table[Int(l[0])] = true }
        initials = table
    }

    @inline(__always) static func isSeparator(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x3A || b == 0x23 || b == 0x3D || b == 0x2E || b == 0x2D
    }

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        guard t.mayContainAny(labels) else { return }
        let b = t.bytes
        let n = b.count
        // A label starts a word: only word starts are candidates, from `resume` on (past the
        // last label or value).
        var resume = 0
        for i in t.wordStarts where i >= resume {
            let c = ASCII.lower(b[i])
            guard initials[Int(c)] else { continue }
            var matched = -1
            for label in labels where label[0] == c {
                if t.matchesLower(label, at: i) && t.boundaryAfter(i + label.count) { matched = label.count; break }
            }
            guard matched > 0 else { continue }
            var j = skipSeparators(t, i + matched)
            // Optional filler word ("Number", "No.", "ID").
            for w in Self.fillerWords where t.matchesLower(w, at: j) && t.boundaryAfter(j + w.count) {
                j = skipSeparators(t, j + w.count)
                break
            }
            let start = j
            var digits = 0
            while j < n && (ASCII.isAlnum(b[j]) || (b[j] == 0x2D && j + 1 < n && ASCII.isAlnum(b[j + 1]))) {
                if ASCII.isDigit(b[j]) { digits += 1 }
                j += 1
            }
            if j > start && digits >= minDigits {
                let value = t.string(start, j)
                out.append(DetectorMatch(start: start, end: j, kind: kind, masked: Mask.keepingLast(value, 2)))
                resume = j
            } else {
                resume = i + matched
            }
        }
    }

    private func skipSeparators(_ t: ScanText, _ from: Int) -> Int {
        var j = from
        var budget = 6
        while j < t.count && budget > 0 && Self.isSeparator(t.bytes[j]) { j += 1; budget -= 1 }
        return j
    }
}
