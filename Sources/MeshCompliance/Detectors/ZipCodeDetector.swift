/// US ZIP codes (Safe Harbor (B)) — 5-digit and ZIP+4.
///
/// To keep false positives low in code and reports, a 5-digit number only counts when it is
/// (a) labelled (`zip`, `zip code`, `zipcode`, `postal code`, `postcode` shortly before it on the
/// same line) or (b) in address context: directly after a US state/territory code
/// (`Springfield, IL 62704`), or (c) directly after a gazetteer city with no state
/// (`Holtsville 00501`, `Ashland, 02139`) when it is a ZIP code that exists (``USPlaces/isZIPCode(_:)``):
/// a city alone is weaker context than a state code, and fewer than half of all five-digit
/// numbers are ZIP codes. Existence never quiets (a) or (b): a labelled or state-anchored
/// number is reported whether or not the table lists it (the table ages, and a mistyped ZIP
/// still points at a place). ZIP+4 (`12345-6789`) in address context or labelled likewise.
/// Bare five-digit numbers are not reported.
public struct ZipCodeDetector: TextDetector {
    /// Every match has digits.
    public var requiredBytes: [ByteSet] { [.digits] }

    static let labels = ASCII.lowered(["zip", "zipcode", "zip code", "postal code", "postcode", "postal"])
    static let states: Set<UInt16> = {
        let codes = "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR VI GU AS MP"
        return Set(codes.split(separator: " ").map { s in
            let u = Array(s.utf8)
            return UInt16(u[0]) << 8 | UInt16(u[1])
        })
    }()

    public init() {}

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        let b = t.bytes
        // A ZIP code starts a word: only word starts with a digit are candidates, from
        // `resume` on (past the last number read).
        var resume = 0
        for i in t.digitStarts where i >= resume {
            guard i == 0 || (b[i - 1] != 0x2D && b[i - 1] != 0x2E) else { continue }
            let r = t.digitRun(i)
            if r == 3, let end = zip3End(t, i) {
                out.append(DetectorMatch(start: i, end: end, kind: "restricted ZIP3", masked: Mask.keepingLast(t.string(i, end), 0)))
                resume = end
                continue
            }
            guard r == 5 else { resume = i + max(r, 1); continue }
            var end = i + 5
            if t.at(end) == 0x2D && t.digitRun(end + 1) == 4 { end += 5 }
            guard t.boundaryAfter(end), !((t.at(end) == 0x2D || t.at(end) == 0x2E) && ASCII.isDigit(t.at(end + 1))) else {
                resume = end
                continue
            }
            if afterStateCode(t, i) || t.hasLabel(Self.labels, before: i, window: 20)
                || (USPlaces.isZIPCode(t.number(i, i + 5)) && afterCity(t, i)) {
                let v = t.string(i, end)
                out.append(DetectorMatch(start: i, end: end, kind: "ZIP code", masked: Mask.keepingLast(v, 0)))
            }
            resume = end
        }
    }

    static let zip3Labels = labels + ASCII.lowered(["zip3", "zip 3", "3-digit zip", "three-digit zip", "zip prefix"])

    /// The end of a three-digit ZIP prefix at `i` that Safe Harbor does not allow: one of
    /// ``USPlaces/restrictedZIP3`` (areas of 20,000 people or fewer), written as a truncated
    /// ZIP (`036xx`, `036**`) or labelled (`zip3: 036`, `ZIP prefix 036`). Any other prefix
    /// alone is allowed and not reported.
    private func zip3End(_ t: ScanText, _ i: Int) -> Int? {
        guard USPlaces.restrictedZIP3.contains(t.number(i, i + 3)) else { return nil }
        let a = t.at(i + 3), c = t.at(i + 4)
        if (a == 0x78 || a == 0x58 || a == 0x2A) && a == c && t.boundaryAfter(i + 5) && !(c == 0x2A && t.at(i + 5) == 0x2A) { return i + 5 }
        guard t.boundaryAfter(i + 3), !(a == 0x2D || a == 0x2E) || !ASCII.isDigit(c) else { return nil }
        return t.hasLabel(Self.zip3Labels, before: i, window: 24) ? i + 3 : nil
    }

    /// `City 12345` or `City, 12345` on one line, where `City` is one to three capitalised
    /// words the gazetteer lists as a city (of any state) and not an ordinary word.
    private func afterCity(_ t: ScanText, _ i: Int) -> Bool {
        let b = t.bytes
        var end = i
        guard end > 0, b[end - 1] == 0x20 else { return false }
        end -= 1
        if end > 0 && b[end - 1] == 0x2C { end -= 1 }
        var k = end, words = 0
        while words < 3 {
            var ws = k
            while ws > 0 && (ASCII.isLetter(b[ws - 1]) || b[ws - 1] == 0x27 || b[ws - 1] == 0x2D || b[ws - 1] == 0x2E) { ws -= 1 }
            guard ws < k, ASCII.isUpper(b[ws]) else { return false }
            words += 1
            if USPlaces.isCity(b, ws, end) && (words > 1 || !CityDetector.commonWords.contains(t.string(ws, end).lowercased())) { return true }
            guard ws > 0, b[ws - 1] == 0x20 else { return false }
            k = ws - 1
        }
        return false
    }

    /// `XX 12345` or `XX, 12345` where `XX` is an uppercase state code standing as a word.
    private func afterStateCode(_ t: ScanText, _ i: Int) -> Bool {
        var j = i
        guard j > 0, ASCII.isSpace(t.bytes[j - 1]) else { return false }
        while j > 0 && ASCII.isSpace(t.bytes[j - 1]) { j -= 1 }
        if j > 0 && t.bytes[j - 1] == 0x2C { j -= 1 }
        guard j >= 2 else { return false }
        let a = t.bytes[j - 2], c = t.bytes[j - 1]
        guard ASCII.isUpper(a), ASCII.isUpper(c), t.boundaryBefore(j - 2) else { return false }
        return Self.states.contains(UInt16(a) << 8 | UInt16(c))
    }
}
