/// Names of people in free text (Safe Harbor (A)); labelled fields (`patient_name`,
/// FHIR `name`, HL7 `PID-5`) are added by ``FieldAwareDetector``.
///
/// A name is one to three capitalised words (`O'Brien`, `Smith-Jones`, initials `J.`) or
/// `Last, First`, found
/// - after a title (`Mr.`, `Mrs.`, `Ms.`, `Miss`, `Mx.`, `Dr.`) or a salutation (`Dear`);
/// - after a context phrase (`signed by`, `seen by`, `dictated by`, `patient`, `pt`), and on
///   the line after a closing (`Sincerely,`, `Regards,`, `Signed,`);
/// - before an identifier or an address (`Jane Roe (MRN …)`, `Jane Roe, DOB …`,
///   `Jane Roe, 12 Oak St`);
/// - as `First Last` where the first word is a 1990 Census first name and the last a Census
///   surname, neither being an ordinary English word that names also use (`May`, `Will`).
public struct PersonNameDetector: TextDetector {
    public var identifierClass: IdentifierClass? { .name }
    /// Every form has an uppercase letter.
    public var requiredBytes: [ByteSet] { [ByteSet("ABCDEFGHIJKLMNOPQRSTUVWXYZ")] }

    let firstNames: NameSet
    let surnames: NameSet

    public init(firstNames: NameSet = CensusNames.firstNames, surnames: NameSet = CensusNames.surnames) {
        self.firstNames = firstNames
        self.surnames = surnames
    }

    static let titles = ["mr", "mrs", "ms", "miss", "mx", "dr", "dear"]
    static let phrases = ["signed by", "seen by", "dictated by", "referred by", "transcribed by", "examined by",
                          "patient", "pt", "patient name", "his wife", "her husband", "his mother", "her mother",
                          "his father", "her father", "daughter", "son", "guardian", "emergency contact"]
    static let closings = ["sincerely", "regards", "signed", "respectfully", "thanks", "best"]
    static let titleBytes = ASCII.lowered(titles)
    static let phraseBytes = ASCII.lowered(phrases)
    static let closingBytes = ASCII.lowered(closings)
    static let dear = Array("dear".utf8)

    enum ContextKind { case title, phrase, closing }

    /// Titles, then phrases, then closings (the order they are tried in), by lowercase first
    /// byte: `contextEnd` runs at every word start and tries only the few words that can match
    /// there, instead of walking (and retaining) all of them.
    static let contextByInitial: [[(word: [UInt8], kind: ContextKind)]] = {
        var table = [[(word: [UInt8], kind: ContextKind)]](repeating: [], count: 256)
        for w in titleBytes { table[Int(w[0])].append((w, .title)) }
        for w in phraseBytes { table[Int(w[0])].append((w, .phrase)) }
        for w in closingBytes { table[Int(w[0])].append((w, .closing)) }
        return table
    }()

    /// First names and surnames that are ordinary English words too often to count alone.
    static let ordinaryWords: Set<String> = [
        "may", "june", "april", "august", "will", "mark", "grant", "rose", "joy", "hope", "faith", "grace", "art",
        "bill", "summer", "autumn", "dawn", "eve", "ivy", "iris", "lily", "chase", "page", "dean", "guy", "ray", "max",
        "jack", "king", "young", "long", "rich", "frank", "miles", "sage", "crystal", "amber", "jade", "ruby", "pearl",
        "penny", "holly", "heather", "daisy", "violet", "brandy", "candy", "ginger", "misty", "destiny", "harmony",
        "mercy", "patience", "charity", "honor", "major", "general", "christian", "justice", "royal", "rocky", "sky",
        "star", "sunny", "son", "see", "else", "in", "an", "so", "are", "do", "to", "in", "by", "lane", "green", "white",
        "black", "brown", "gray", "grey", "street", "hall", "wood", "hill", "field", "price", "case", "cash", "mobile",
        "rust", "swift", "go", "java", "apple", "page", "post", "ward", "chart", "bell", "head", "care", "server", "client",
        "service", "center", "bay", "park", "lake", "river", "new", "north", "south", "east", "west", "van", "kafka",
        "docker", "linux", "test", "main", "master", "release", "build", "debug", "error", "note", "notes", "health",
        "medical", "record", "records", "patient", "data", "date", "time", "day", "week", "will", "said", "told",
    ]

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        let b = t.bytes
        var resume = 0
        for i in t.wordStarts where i >= resume {
            let c = b[i]
            guard ASCII.isLetter(c) else { continue }
            var nameStart = -1
            // Title or phrase, then the name.
            if let after = contextEnd(t, i) {
                nameStart = after
            } else if ASCII.isUpper(c), let end = dictionaryPair(t, i) ?? nameBeforeIdentifier(t, i) {
                out.append(match(t, i, end))
                resume = end
                continue
            }
            guard nameStart >= 0, let (s, e) = FieldValue.name(t, nameStart, min(b.count, nameStart + 80), ambiguous: false) else { continue }
            // After a title (`Mr. King`) a capitalised word is a name even when it is also an
            // ordinary word; after a phrase it must not be one (`Patient Portal`), and one word
            // alone is a name only when the Census lists know it.
            let titled = afterTitle(t, i)
            if !titled {
                guard isName(t, s, e) else { continue }
                if !t.bytes[s..<e].contains(0x20) && !t.bytes[s..<e].contains(0x2C)
                    && !surnames.contains(t.bytes, s, e) && !firstNames.contains(t.bytes, s, e) { continue }
            } else if FieldValue.emptyWords.contains(t.string(s, e).lowercased()) {
                continue
            }
            out.append(match(t, s, e))
            resume = e
        }
    }

    private func match(_ t: ScanText, _ s: Int, _ e: Int) -> DetectorMatch {
        DetectorMatch(start: s, end: e, kind: "name", masked: Mask.all(t.string(s, e)), identifierClass: .name)
    }

    /// A candidate name must not be an ordinary word alone.
    private func isName(_ t: ScanText, _ s: Int, _ e: Int) -> Bool {
        let b = t.bytes
        var words = 0, ordinary = 0
        var k = s
        while k < e {
            while k < e && (b[k] == 0x20 || b[k] == 0x2C) { k += 1 }
            let ws = k
            while k < e && b[k] != 0x20 && b[k] != 0x2C { k += 1 }
            guard k > ws else { break }
            words += 1
            let word = String(decoding: b[ws..<k].map(ASCII.lower), as: UTF8.self)
            if Self.ordinaryWords.contains(word) || (words == 1 && FieldValue.emptyWords.contains(word)) { ordinary += 1 }
        }
        return words > 0 && ordinary < words
    }

    /// Whether the word at `i` is a title or salutation (not a phrase).
    private func afterTitle(_ t: ScanText, _ i: Int) -> Bool {
        Self.titleBytes.contains { ASCII.isUpper(t.bytes[i]) && t.matchesLower($0, at: i) && t.boundaryAfter(i + $0.count) }
    }

    /// Where the name begins after a title, salutation, context phrase or closing at `i`.
    private func contextEnd(_ t: ScanText, _ i: Int) -> Int? {
        let b = t.bytes
        let candidates = Self.contextByInitial[Int(ASCII.lower(b[i]))]
        if candidates.isEmpty { return nil }
        for (word, kind) in candidates where t.matchesLower(word, at: i) {
            switch kind {
            case .title:
                guard ASCII.isUpper(b[i]) && t.boundaryAfter(i + word.count) else { continue }
                var j = i + word.count
                if t.at(j) == 0x2E { j += 1 }
                if word == Self.dear && t.at(j) == 0x20 {
                    j += 1
                    // `Dear Ms. Roe`: the name follows the title.
                    return ASCII.isUpper(t.at(j)) ? (contextEnd(t, j) ?? j) : j
                }
                guard t.at(j) == 0x20 else { return nil }
                return j + 1
            case .phrase:
                guard t.boundaryAfter(i + word.count) else { continue }
                var j = i + word.count
                if t.at(j) == 0x3A || t.at(j) == 0x2C { j += 1 }
                guard t.at(j) == 0x20 else { return nil }
                while t.at(j) == 0x20 { j += 1 }
                return j
            case .closing:
                guard ASCII.isUpper(b[i]) && t.at(i + word.count) == 0x2C else { continue }
                var j = i + word.count + 1
                while t.at(j) == 0x20 || t.at(j) == 0x0D { j += 1 }
                guard t.at(j) == 0x0A else { return nil }
                return j + 1
            }
        }
        return nil
    }

    /// `First Last` (or `First M. Last`) with both words in the Census lists: the end.
    private func dictionaryPair(_ t: ScanText, _ i: Int) -> Int? {
        let b = t.bytes
        let firstEnd = wordEnd(b, i)
        guard firstEnd - i >= 2, firstEnd < b.count, b[firstEnd] == 0x20, ASCII.isLower(t.at(i + 1)),
              firstNames.contains(b, i, firstEnd), !Self.ordinaryWords.contains(t.string(i, firstEnd).lowercased()) else { return nil }
        var j = firstEnd + 1
        if ASCII.isUpper(t.at(j)) && t.at(j + 1) == 0x2E && t.at(j + 2) == 0x20 { j += 3 }  // middle initial
        guard ASCII.isUpper(t.at(j)), ASCII.isLower(t.at(j + 1)) else { return nil }
        let lastEnd = wordEnd(b, j)
        guard lastEnd - j >= 2, surnames.contains(b, j, lastEnd), !Self.ordinaryWords.contains(t.string(j, lastEnd).lowercased()),
              t.boundaryAfter(lastEnd) else { return nil }
        return lastEnd
    }

    /// Words after a name that say it is a patient's: `Jane Roe (MRN 123)`, `Jane Roe, DOB …`,
    /// `Jane Roe, born …`, `Jane Roe, a 54-year-old`, `Jane Roe was admitted`, and where a
    /// person lives: `Jane Roe lives in …`, `Jane Roe resides at …`.
    static let following = ASCII.lowered(["mrn", "dob", "d.o.b", "born", "age", "aged", "ssn", "a ", "was admitted", "was seen",
                                          "presented", "is a ", "was discharged", "date of birth", "medical record",
                                          "lives in", "lives with", "lives alone", "resides in", "resides at", "resides with"])

    static let streets = StreetAddressDetector()

    /// Two or three title-case words followed (after ` `, `, ` or ` (`) by a patient word.
    private func nameBeforeIdentifier(_ t: ScanText, _ i: Int) -> Int? {
        let b = t.bytes
        var end = wordEnd(b, i)
        guard end - i >= 2, ASCII.isLower(t.at(i + 1)), t.at(end) == 0x20, ASCII.isUpper(t.at(end + 1)), ASCII.isLower(t.at(end + 2)) else { return nil }
        end = wordEnd(b, end + 1)
        if t.at(end) == 0x20 && ASCII.isUpper(t.at(end + 1)) && ASCII.isLower(t.at(end + 2)) {
            let third = wordEnd(b, end + 1)
            if context(t, third) { return isName(t, i, third) ? third : nil }
        }
        guard context(t, end) else { return nil }
        return isName(t, i, end) ? end : nil
    }

    private func context(_ t: ScanText, _ end: Int) -> Bool {
        var j = end
        if t.at(j) == 0x2C { j += 1 }
        guard t.at(j) == 0x20 else { return false }
        j += 1
        // An address block: `Jane Roe, 12 Oak St, …`.
        if t.at(end) == 0x2C && ASCII.isDigit(t.at(j)) && Self.streets.street(t, j) != nil { return true }
        if t.at(j) == 0x28 { j += 1 }
        return Self.following.contains { t.matchesLower($0, at: j) && ($0.last == 0x20 || t.boundaryAfter(j + $0.count)) }
    }

    @inline(__always) private func wordEnd(_ b: [UInt8], _ i: Int) -> Int {
        var k = i
        while k < b.count && (ASCII.isLetter(b[k]) || (b[k] == 0x27 && k + 1 < b.count && ASCII.isLetter(b[k + 1]))) { k += 1 }
        return k
    }
}
