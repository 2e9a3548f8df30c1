/// Street addresses in free text (Safe Harbor (B)): a house number, one to four words, a
/// USPS street suffix and an optional unit (`1428 Elm Street, Apt 4B`, `77 N. Harbor Blvd
/// Suite 200`), or a post-office box (`PO Box 1234`). Labelled fields (`address_line1`,
/// FHIR `address.line`, HL7 `PID-11.1`) are added by ``FieldAwareDetector``.
public struct StreetAddressDetector: TextDetector {
    public var identifierClass: IdentifierClass? { .streetAddress }
    public var requiredBytes: [ByteSet] { [.digits] }

    public init() {}

    /// USPS Publication 28 street suffixes (common forms and abbreviations), lowercase.
    static let suffixes: Set<String> = [
        "street", "st", "avenue", "ave", "av", "road", "rd", "boulevard", "blvd", "lane", "ln", "drive", "dr", "court", "ct",
        "way", "place", "pl", "terrace", "ter", "circle", "cir", "parkway", "pkwy", "highway", "hwy", "square", "sq", "trail",
        "trl", "loop", "pike", "alley", "aly", "crescent", "cres", "row", "run", "path", "walk", "plaza", "plz", "point", "pt",
        "ridge", "rdg", "crossing", "xing", "commons", "cmns", "turnpike", "tpke", "expressway", "expy", "freeway", "fwy",
        "heights", "hts", "hollow", "holw", "landing", "lndg", "manor", "mnr", "meadow", "mdw", "park", "pass", "view", "vw",
    ]
    static let directions: Set<String> = ["n", "s", "e", "w", "ne", "nw", "se", "sw", "north", "south", "east", "west"]
    static let units: Set<String> = ["apt", "apartment", "suite", "ste", "unit", "fl", "floor", "rm", "room", "bldg", "building", "#"]

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        let b = t.bytes
        var resume = 0
        for i in t.wordStarts where i >= resume {
            if ASCII.isDigit(b[i]) {
                guard t.boundaryBefore(i), i == 0 || (b[i - 1] != 0x2E && b[i - 1] != 0x2D && b[i - 1] != 0x2F && b[i - 1] != 0x3A),
                      let e = street(t, i) else { continue }
                out.append(DetectorMatch(start: i, end: e, kind: "street address", masked: Mask.all(t.string(i, e)), identifierClass: .streetAddress))
                resume = e
            } else if (b[i] == 0x50 || b[i] == 0x70), let e = poBox(t, i) {
                out.append(DetectorMatch(start: i, end: e, kind: "street address", masked: Mask.all(t.string(i, e)), identifierClass: .streetAddress))
                resume = e
            }
        }
    }

    /// `1428 Elm Street`, `221B Baker St.`, `77 N. Harbor Blvd Suite 200`: the end, or `nil`.
    func street(_ t: ScanText, _ i: Int) -> Int? {
        let b = t.bytes
        let r = t.digitRun(i)
        guard r >= 1 && r <= 6 else { return nil }
        var j = i + r
        if ASCII.isUpper(t.at(j)) && !ASCII.isLetter(t.at(j + 1)) { j += 1 }  // 221B
        guard t.at(j) == 0x20 else { return nil }
        j += 1
        var words = 0
        // The last suffix wins: `Harbor View Blvd` ends at `Blvd`, not at `View`.
        var best: Int?
        while words < 5 {
            let ws = j
            guard ASCII.isUpper(t.at(j)) || (ASCII.isDigit(t.at(j)) && words == 0) else { break }
            while j < b.count && (ASCII.isAlnum(b[j]) || b[j] == 0x27 || b[j] == 0x2D) { j += 1 }
            let word = t.string(ws, j).lowercased()
            if words > 0 && Self.suffixes.contains(word) {
                var e = j
                if t.at(e) == 0x2E { e += 1 }
                best = unit(t, e) ?? e
            }
            if ASCII.isDigit(b[ws]) && !["st", "nd", "rd", "th"].contains(where: { word.hasSuffix($0) }) { break }
            if t.at(j) == 0x2E && Self.directions.contains(word) { j += 1 }
            guard t.at(j) == 0x20 else { break }
            j += 1
            words += 1
        }
        return best
    }

    /// `, Apt 4B`, ` Suite 200`, ` #12` after a street: the end.
    private func unit(_ t: ScanText, _ e: Int) -> Int? {
        var j = e
        if t.at(j) == 0x2C { j += 1 }
        guard t.at(j) == 0x20 else { return nil }
        j += 1
        let ws = j
        if t.at(j) == 0x23 { j += 1 } else {
            while ASCII.isLetter(t.at(j)) { j += 1 }
            guard Self.units.contains(t.string(ws, j).lowercased()) else { return nil }
            if t.at(j) == 0x2E { j += 1 }
            guard t.at(j) == 0x20 else { return nil }
            j += 1
        }
        let vs = j
        while ASCII.isAlnum(t.at(j)) || t.at(j) == 0x2D { j += 1 }
        return j > vs ? j : nil
    }

    /// `PO Box 1234`, `P.O. Box 77`.
    /// Built once: this runs at many word starts, and building the byte arrays was most of it.
    static let poBoxPrefixes = ASCII.lowered(["p.o. box ", "po box ", "p o box "])

    private func poBox(_ t: ScanText, _ i: Int) -> Int? {
        guard ASCII.lower(t.at(i)) == 0x70 else { return nil }  // `p`
        var j = i
        for prefix in Self.poBoxPrefixes where t.matchesLower(prefix, at: i) {
            j = i + prefix.count
            let r = t.digitRun(j)
            return r >= 1 && r <= 6 && t.boundaryAfter(j + r) ? j + r : nil
        }
        return nil
    }
}

/// Cities in free text (Safe Harbor (B)) where the address grammar places them: between a
/// street address (or line start) and `, ST 12345` — one to three capitalised words before a
/// comma, a US state code and a ZIP code. A city alone in prose ("our Boston office") is
/// not reported: without a gazetteer it cannot be told from any capitalised word, and the
/// Safe Harbor concern is a patient's address. Labelled fields (`city`, FHIR `address.city`,
/// HL7 `PID-11.3`) are added by ``FieldAwareDetector``.
public struct CityDetector: TextDetector {
    public var identifierClass: IdentifierClass? { .city }
    public var requiredBytes: [ByteSet] { [.digits, ByteSet(",")] }

    public init() {}

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        let b = t.bytes
        var i = 0
        while i + 9 < b.count {
            // `, ST 12345`
            guard b[i] == 0x2C, b[i + 1] == 0x20, ASCII.isUpper(b[i + 2]), ASCII.isUpper(b[i + 3]),
                  ZipCodeDetector.states.contains(UInt16(b[i + 2]) << 8 | UInt16(b[i + 3])),
                  b[i + 4] == 0x20 || b[i + 4] == 0x2C, t.digitRun(i + (b[i + 4] == 0x2C ? 6 : 5)) == 5 else { i += 1; continue }
            // Up to three capitalised words ending at i, stopping at a street suffix.
            var s = i
            var words = 0
            var k = i
            while words < 3 {
                var ws = k
                while ws > 0 && (ASCII.isLetter(b[ws - 1]) || b[ws - 1] == 0x27 || b[ws - 1] == 0x2D || b[ws - 1] == 0x2E) { ws -= 1 }
                guard ws < k, ASCII.isUpper(b[ws]) else { break }
                let word = t.string(ws, k).lowercased().filter { $0 != "." }
                if StreetAddressDetector.suffixes.contains(word) || StreetAddressDetector.units.contains(word) { break }
                s = ws
                words += 1
                guard ws > 0, b[ws - 1] == 0x20 else { break }
                k = ws - 1
            }
            if words > 0 && s < i {
                out.append(DetectorMatch(start: s, end: i, kind: "city", masked: Mask.all(t.string(s, i)), identifierClass: .city))
            }
            i += 5
        }
    }
}
