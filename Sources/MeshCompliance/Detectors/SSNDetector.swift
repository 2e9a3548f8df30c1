/// US Social Security numbers (Safe Harbor (G)).
///
/// Finds `AAA-GG-SSSS` with one consistent separator (`-`, space or `.`), and nine
/// contiguous digits only when an SSN label (`ssn`, `social security`, …) precedes them on the
/// same line. Invalid numbers are skipped: area 000, 666 or 900–999, group 00, serial 0000,
/// all-identical digits and numbers known to be invalid or advertising samples.
public struct SSNDetector: TextDetector {
    /// Every match has digits.
    public var requiredBytes: [ByteSet] { [.digits] }

    /// Numbers never issued or publicly burned (advertising, documentation).
    static let known: Set<Int> = [78_051_120, 219_099_999, 123_456_789, 457_555_462]
    static let labels = ASCII.lowered(["ssn", "ssns", "social security", "social", "ss#", "ss no"])

    /// Whether unseparated 9-digit runs are reported when labelled.
    public var labelledUnseparated: Bool

    public init(labelledUnseparated: Bool = true) { self.labelledUnseparated = labelledUnseparated }

    /// Applies the SSA invalidation rules to the three parts.
    public static func isValid(area: Int, group: Int, serial: Int) -> Bool {
        if area == 0 || area == 666 || area >= 900 { return false }
        if group == 0 || serial == 0 { return false }
        let whole = area * 1_000_000 + group * 10_000 + serial
        if known.contains(whole) { return false }
        let digits = String(whole).count == 9 ? Array(String(whole)) : []
        if let first = digits.first, digits.allSatisfy({ $0 == first }) { return false }
        return true
    }

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        let b = t.bytes
        // A number starts a word: only word starts with a digit are candidates, from `resume`
        // on (past the last number read).
        var resume = 0
        for i in t.digitStarts where i >= resume {
            guard i == 0 || b[i - 1] != 0x2D && b[i - 1] != 0x2E else { continue }
            let run = t.digitRun(i)
            var end = -1
            var area = 0, group = 0, serial = 0
            if run == 3 {
                let sep = t.at(i + 3)
                if (sep == 0x2D || sep == 0x20 || sep == 0x2E), t.digitRun(i + 4) == 2, t.at(i + 6) == sep,
                   t.digitRun(i + 7) == 4 {
                    area = t.number(i, i + 3); group = t.number(i + 4, i + 6); serial = t.number(i + 7, i + 11)
                    end = i + 11
                }
            } else if run == 9 && labelledUnseparated && t.hasLabel(Self.labels, before: i, window: 32) {
                area = t.number(i, i + 3); group = t.number(i + 3, i + 5); serial = t.number(i + 5, i + 9)
                end = i + 9
            }
            if end > 0, t.boundaryAfter(end), !(t.at(end) == 0x2D && ASCII.isDigit(t.at(end + 1))),
               !(t.at(end) == 0x2E && ASCII.isDigit(t.at(end + 1))),
               Self.isValid(area: area, group: group, serial: serial) {
                let last4 = t.string(end - 4, end)
                out.append(DetectorMatch(start: i, end: end, kind: "SSN", masked: "***-**-\(last4)"))
                resume = end
                continue
            }
            resume = i + max(run, 1)
        }
    }
}
