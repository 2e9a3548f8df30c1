/// North American (NANP) telephone and fax numbers (Safe Harbor (D), (E)).
///
/// Accepted shapes: `(NXX) NXX-XXXX`, `NXX-NXX-XXXX`, `NXX.NXX.XXXX`, `NXX NXX XXXX`, each
/// optionally prefixed by `+1`/`1` and a separator; ten contiguous digits only when a phone/fax
/// label precedes them. Area code and exchange must start with 2–9; N11 area codes are skipped.
/// A number is a *fax* when `fax` (or `facsimile`) appears shortly before it on the same line.
public struct PhoneDetector: TextDetector {
    /// Every match has digits.
    public var requiredBytes: [ByteSet] { [.digits] }

    /// Which numbers this instance reports.
    public enum Mode: String, Sendable { case phone, fax, any }

    static let faxLabels = ASCII.lowered(["fax", "facsimile", "telefax"])
    static let phoneLabels = ASCII.lowered(["phone", "tel", "telephone", "mobile", "cell", "fax", "ph", "call", "contact"])

    public var mode: Mode

    public init(mode: Mode = .phone) { self.mode = mode }

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        let b = t.bytes
        // A number starts with a digit that starts a word, or with the `(` or `+` right before
        // one (parse needs a digit after either): only those are candidates, from `resume` on
        // (past the last number), the `(`/`+` first as a byte-by-byte scan would meet it.
        var resume = 0
        func number(at i: Int) -> (Int, Int)? {
            guard i >= resume && i >= 0 else { return nil }
            let c = b[i]
            guard (ASCII.isDigit(c) || c == 0x28 || c == 0x2B), t.boundaryBefore(i),
                  i == 0 || (b[i - 1] != 0x2D && b[i - 1] != 0x2E && b[i - 1] != 0x2F) else { return nil }
            return parse(t, at: i)
        }
        for digit in t.digitStarts where digit >= resume {
            guard let (start, end) = number(at: digit - 1) ?? number(at: digit) else { continue }
            let fax = t.hasLabel(Self.faxLabels, before: start, window: 24)
            if mode == .any || (mode == .fax) == fax {
                let masked = "(***) ***-" + t.string(end - 4, end)
                out.append(DetectorMatch(start: start, end: end, kind: fax ? "fax number" : "phone number", masked: masked))
            }
            resume = end
        }
    }

    /// Parses a number starting at `i0`; returns its byte range.
    private func parse(_ t: ScanText, at i0: Int) -> (Int, Int)? {
        var i = i0
        // Optional country code.
        if t.at(i) == 0x2B {
            guard t.at(i + 1) == 0x31 else { return nil }
            i += 2
            if t.at(i) == 0x2D || t.at(i) == 0x20 || t.at(i) == 0x2E { i += 1 }
        } else if t.at(i) == 0x31 && !ASCII.isDigit(t.at(i + 1)) && (t.at(i + 1) == 0x2D || t.at(i + 1) == 0x20 || t.at(i + 1) == 0x2E) {
            i += 2
        }
        var area = 0
        var sep: UInt8 = 0
        if t.at(i) == 0x28 {
            guard t.digitRun(i + 1) == 3, t.at(i + 4) == 0x29 else { return nil }
            area = t.number(i + 1, i + 4)
            i += 5
            if t.at(i) == 0x20 || t.at(i) == 0x2D { i += 1 }
            sep = 0xFF  // after a parenthesised area the exchange separator is free
        } else {
            let run = t.digitRun(i)
            if run == 10 {
                // Contiguous digits: only when labelled as a phone/fax number.
                guard t.boundaryAfter(i + 10), t.hasLabel(Self.phoneLabels, before: i0, window: 24) else { return nil }
                let a = t.number(i, i + 3), x = t.number(i + 3, i + 6)
                guard Self.valid(area: a, exchange: x) else { return nil }
                return (i0, i + 10)
            }
            guard run == 3 else { return nil }
            area = t.number(i, i + 3)
            sep = t.at(i + 3)
            guard sep == 0x2D || sep == 0x2E || sep == 0x20 else { return nil }
            i += 4
        }
        guard t.digitRun(i) == 3 else { return nil }
        let exchange = t.number(i, i + 3)
        let sep2 = t.at(i + 3)
        if sep == 0xFF {
            guard sep2 == 0x2D || sep2 == 0x2E || sep2 == 0x20 else { return nil }
        } else {
            guard sep2 == sep else { return nil }
        }
        i += 4
        guard t.digitRun(i) == 4 else { return nil }
        let end = i + 4
        guard t.boundaryAfter(end), !((t.at(end) == 0x2D || t.at(end) == 0x2E) && ASCII.isDigit(t.at(end + 1))) else { return nil }
        guard Self.valid(area: area, exchange: exchange) else { return nil }
        return (i0, end)
    }

    /// NANP rules: area and exchange start with 2–9; area code is not an N11 service code.
    static func valid(area: Int, exchange: Int) -> Bool {
        if area < 200 || exchange < 200 { return false }
        if area % 100 == 11 { return false }
        return true
    }
}
