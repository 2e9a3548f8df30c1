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

/// Cities in free text (Safe Harbor (B)), in three contexts:
/// - the address grammar: one to three capitalised words before `, ST 12345` (a comma, a US
///   state code and a ZIP code), whatever the words;
/// - `City, ST` without a ZIP code, when the gazetteer (`USPlaces`) lists the city in that state;
/// - after a residence phrase (`lives in`, `moved to`, `born in`, …), when the gazetteer lists
///   the capitalised words as a city of some state and they are not a common word that is
///   also a town's name (`Mobile`, `Normal`, `Reading`: ``commonWords``).
/// A capitalised word alone in prose ("our Boston office") is not reported: the Safe Harbor
/// concern is where a person lives. Labelled fields (`city`, FHIR `address.city`, HL7
/// `PID-11.3`) are added by ``FieldAwareDetector``.
public struct CityDetector: TextDetector {
    public var identifierClass: IdentifierClass? { .city }
    /// Every city starts with a capital letter.
    public var requiredBytes: [ByteSet] { Self.required }
    private static let required = [ByteSet("ABCDEFGHIJKLMNOPQRSTUVWXYZ")]

    public init() {}

    /// Phrases that say the place after them is where a person lives or comes from.
    static let residencePhrases = ASCII.lowered([
        "lives in", "living in", "lived in", "resides in", "residing in", "resident of", "moved to", "relocated to",
        "born in", "hometown of", "home in", "native of",
    ])

    /// Town names that are also ordinary capitalised words (sentence starts, products, teams),
    /// never reported from a residence phrase alone.
    static let commonWords: Set<String> = [
        "mobile", "normal", "reading", "commerce", "energy", "industry", "liberty", "independence", "freedom", "progress",
        "opportunity", "security", "unity", "union", "center", "central", "home", "hope", "friendship", "harmony",
        "paradise", "eden", "victory", "triumph", "justice", "welcome", "success", "santa", "north", "south", "east",
        "west", "the", "a", "an", "state", "city", "town", "county", "order", "post", "office", "bank", "market",
    ]

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        let before = out.count
        if t.present.contains(0x2C) { addressCities(t, &out) }
        if t.mayContainAny(Self.residencePhrases) { residenceCities(t, &out) }
        if out.count > before + 1 { out[before...].sort { $0.start < $1.start } }
    }

    /// `City, ST 12345` (any capitalised words) and `City, ST` (a gazetteer city of ST).
    private func addressCities(_ t: ScanText, _ out: inout [DetectorMatch]) {
        let b = t.bytes
        var i = 0
        while i + 4 <= b.count {
            // `, ST` then a space or comma and a ZIP code, or the end of the phrase.
            guard b[i] == 0x2C, b[i + 1] == 0x20, ASCII.isUpper(b[i + 2]), ASCII.isUpper(b[i + 3]), t.boundaryAfter(i + 4),
                  ZipCodeDetector.states.contains(UInt16(b[i + 2]) << 8 | UInt16(b[i + 3])) else { i += 1; continue }
            let state = (b[i + 2], b[i + 3])
            let zipFollows = (t.at(i + 4) == 0x20 || t.at(i + 4) == 0x2C) && t.digitRun(i + (t.at(i + 4) == 0x2C ? 6 : 5)) == 5
            // Up to three capitalised words ending at i, stopping at a street suffix.
            var starts: [Int] = []
            var k = i
            while starts.count < 3 {
                var ws = k
                while ws > 0 && (ASCII.isLetter(b[ws - 1]) || b[ws - 1] == 0x27 || b[ws - 1] == 0x2D || b[ws - 1] == 0x2E) { ws -= 1 }
                guard ws < k, ASCII.isUpper(b[ws]) else { break }
                let word = t.string(ws, k).lowercased().filter { $0 != "." }
                if StreetAddressDetector.suffixes.contains(word) || StreetAddressDetector.units.contains(word) { break }
                starts.append(ws)
                guard ws > 0, b[ws - 1] == 0x20 else { break }
                k = ws - 1
            }
            if zipFollows, let s = starts.last {
                out.append(DetectorMatch(start: s, end: i, kind: "city", masked: Mask.all(t.string(s, i)), identifierClass: .city))
            } else if !zipFollows, let s = starts.reversed().first(where: { USPlaces.isCity(b, $0, i, state: state) }) {
                // Longest gazetteer name first: `East Orange, NJ`, not `Orange, NJ`.
                out.append(DetectorMatch(start: s, end: i, kind: "city", masked: Mask.all(t.string(s, i)), identifierClass: .city))
            }
            i += 5
        }
    }

    /// `lives in Springfield`, `moved to Battle Creek, MI`: the longest run of one to three
    /// capitalised words after the phrase that the gazetteer lists as a city.
    private func residenceCities(_ t: ScanText, _ out: inout [DetectorMatch]) {
        let b = t.bytes
        for i in t.wordStarts where ASCII.isLetter(b[i]) {
            let c = ASCII.lower(b[i])
            guard c == 0x6C || c == 0x72 || c == 0x6D || c == 0x62 || c == 0x68 || c == 0x6E,
                  let phrase = Self.residencePhrases.first(where: { $0[0] == c && t.matchesLower($0, at: i) }) else { continue }
            var s = i + phrase.count
            guard s < b.count, b[s] == 0x20 else { continue }
            while s < b.count && b[s] == 0x20 { s += 1 }
            // Word ends of up to three capitalised words.
            var ends: [Int] = []
            var k = s
            while ends.count < 3 && k < b.count && ASCII.isUpper(b[k]) {
                var e = k + 1
                while e < b.count && (ASCII.isLetter(b[e]) || b[e] == 0x27 || b[e] == 0x2D || (b[e] == 0x2E && e == k + 2)) { e += 1 }
                ends.append(e)
                guard e + 1 < b.count, b[e] == 0x20, ASCII.isUpper(b[e + 1]) else { break }
                k = e + 1
            }
            guard let e = ends.reversed().first(where: { USPlaces.isCity(b, s, $0) }) else { continue }
            if Self.commonWords.contains(t.string(s, e).lowercased()) { continue }
            // Already reported from the address grammar (`moved to Austin, TX 78701`).
            if out.contains(where: { $0.start == s }) { continue }
            out.append(DetectorMatch(start: s, end: e, kind: "city", masked: Mask.all(t.string(s, e)), identifierClass: .city))
        }
    }
}
