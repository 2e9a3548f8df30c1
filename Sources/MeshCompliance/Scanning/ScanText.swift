/// UTF-8 bytes of one artifact, the input of every text detector.
///
/// Detectors work on bytes with ASCII helpers; non-ASCII bytes are treated as
/// "other" characters (neither letters nor digits), which keeps scanners simple and fast.
///
/// Made in one pass that also finds what all detectors share: the bytes present (so the
/// evaluator skips detectors that cannot match) and where words start (so detectors that
/// look for labels or prefixes visit words, not bytes).
public struct ScanText: Sendable {
    /// The UTF-8 bytes.
    public let bytes: [UInt8]
    /// Every byte value that occurs in `bytes`.
    public let present: ByteSet
    /// Offsets where a word (a run of ASCII letters, digits and `_`) starts, ascending.
    public let wordStarts: [Int]
    /// The word starts that are digits: where the numeric detectors (ZIP, SSN, phone, age,
    /// IPv4, NPI) look, without visiting every word of a prose or code artifact.
    public let digitStarts: [Int]
    /// Adjacent byte pairs that occur in `bytes` (ASCII lowercased), for ``mayContain(_:)``.
    let pairs: BytePairSet
    /// The artifact's format and labelled fields (``DocumentStructure/none`` unless built
    /// with a name and media type).
    public private(set) var structure: DocumentStructure = .none

    /// Creates a scan buffer and reads the artifact's structure, which the structure-aware
    /// detectors (labelled fields, FHIR, HL7 v2, CSV, SQL) and finding paths use.
    public init(bytes: [UInt8], name: String, mediaType: String) {
        self.init(bytes: bytes)
        structure = DocumentStructure.parse(self, name: name, mediaType: mediaType)
    }

    /// `init(bytes:name:mediaType:)` over a string.
    public init(_ string: String, name: String, mediaType: String) {
        self.init(bytes: Array(string.utf8), name: name, mediaType: mediaType)
    }

    /// Creates a scan buffer from a Swift string.
    public init(_ string: String) { self.init(bytes: Array(string.utf8)) }

    /// Creates a scan buffer over raw UTF-8 bytes.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
        var present = ByteSet()
        var wordStarts: [Int] = [], digitStarts: [Int] = []
        wordStarts.reserveCapacity(bytes.count / 6)
        var pairs = BytePairSet()
        var inWord = false
        var previous: UInt8 = 0
        // This loop visits every byte of every artifact: it marks bytes in a flat table (one
        // store) and builds the bit set from the table once, instead of a bit-set insert per byte,
        // sets pair bits through the set's buffer directly, and reads each byte's lowercase form
        // and word flag from one table instead of comparing ranges.
        withUnsafeTemporaryAllocation(of: Bool.self, capacity: 256) { seen in
            seen.initialize(repeating: false)
            pairs.withBits { pairBits in
                ASCII.classes.withUnsafeBufferPointer { classes in
                    bytes.withUnsafeBufferPointer { buffer in
                        for i in 0..<buffer.count {
                            let b = buffer[i]
                            seen[Int(b)] = true
                            let cls = classes[Int(b)]
                            let lower = UInt8(truncatingIfNeeded: cls)
                            if i > 0 { BytePairSet.insert(previous, lower, into: pairBits) }
                            previous = lower
                            let isWord = cls > 0xFF
                            if isWord && !inWord {
                                wordStarts.append(i)
                                if b &- 0x30 < 10 { digitStarts.append(i) }
                            }
                            inWord = isWord
                        }
                    }
                }
            }
            for v in 0..<256 where seen[v] { present.insert(UInt8(v)) }
        }
        self.present = present
        self.wordStarts = wordStarts
        self.digitStarts = digitStarts
        self.pairs = pairs
    }

    /// Number of bytes.
    @inline(__always) public var count: Int { bytes.count }

    /// False when `word` (ASCII) cannot occur anywhere in the text, compared case-insensitively
    /// (`matchesLower`): some pair of its adjacent bytes never occurs. True means it may.
    /// Detectors triggered by a keyword (`hooks.slack.com`, `password`, `://`) ask this before
    /// walking the bytes, so a document without the keyword costs them a few look-ups.
    func mayContain(_ word: [UInt8]) -> Bool {
        guard word.count >= 2 else { return true }  // single bytes: `requiredBytes` is the filter
        var k = 1
        while k < word.count {
            if !pairs.contains(ASCII.lower(word[k - 1]), ASCII.lower(word[k])) { return false }
            k += 1
        }
        return true
    }

    /// Whether any of `words` may occur (see ``mayContain(_:)``).
    func mayContainAny(_ words: [[UInt8]]) -> Bool {
        for w in words where mayContain(w) { return true }
        return false
    }

    /// The byte at `i`, or 0 when out of range.
    @inline(__always) func at(_ i: Int) -> UInt8 { i >= 0 && i < bytes.count ? bytes[i] : 0 }

    /// Character (Unicode scalar) offset of byte offset `i`.
    public func characterOffset(_ i: Int) -> Int {
        if !present.hasNonASCII { return i }
        var count = 0
        var k = 0
        while k < i && k < bytes.count {
            if bytes[k] & 0xC0 != 0x80 { count += 1 }
            k += 1
        }
        return count
    }

    /// String for the byte range (used for allow-lists and masking only).
    func string(_ start: Int, _ end: Int) -> String {
        String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// True when `i` does not continue a word on its left (start, or previous byte not alnum/`_`).
    @inline(__always) func boundaryBefore(_ i: Int) -> Bool { i == 0 || !ASCII.isWord(bytes[i - 1]) }

    /// True when `i` does not continue a word on its right (end, or byte at `i` not alnum/`_`).
    @inline(__always) func boundaryAfter(_ i: Int) -> Bool { i >= bytes.count || !ASCII.isWord(bytes[i]) }

    /// Case-insensitive comparison of a lowercase ASCII `word` at offset `i`.
    @inline(__always) func matchesLower(_ word: [UInt8], at i: Int) -> Bool {
        if i < 0 || i + word.count > bytes.count { return false }
        var k = 0
        while k < word.count {
            if ASCII.lower(bytes[i + k]) != word[k] { return false }
            k += 1
        }
        return true
    }

    /// Whether any of the lowercase `labels` occurs as a whole word within `window` bytes
    /// before `end`, not crossing a line break.
    func hasLabel(_ labels: [[UInt8]], before end: Int, window: Int) -> Bool {
        var lo = end
        while lo > 0 && end - lo < window && bytes[lo - 1] != 0x0A { lo -= 1 }
        var i = lo
        while i < end {
            let c = ASCII.lower(bytes[i])
            if ASCII.isLetter(c) && boundaryBefore(i) {
                for label in labels where label.first == c && i + label.count <= end {
                    if matchesLower(label, at: i) && boundaryAfter(i + label.count) { return true }
                }
            }
            i += 1
        }
        return false
    }

    /// Number of consecutive ASCII digits starting at `i`.
    @inline(__always) func digitRun(_ i: Int) -> Int {
        var j = i
        while j < bytes.count && ASCII.isDigit(bytes[j]) { j += 1 }
        return j - i
    }

    /// Integer value of the digits in `[start, end)`.
    @inline(__always) func number(_ start: Int, _ end: Int) -> Int {
        var v = 0
        var i = start
        while i < end { v = v * 10 + Int(bytes[i] &- 0x30); i += 1 }
        return v
    }
}

/// ASCII classification helpers over bytes.
enum ASCII {
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    @inline(__always) static func isUpper(_ b: UInt8) -> Bool { b &- 0x41 < 26 }
    @inline(__always) static func isLower(_ b: UInt8) -> Bool { b &- 0x61 < 26 }
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { isUpper(b) || isLower(b) }
    @inline(__always) static func isAlnum(_ b: UInt8) -> Bool { isDigit(b) || isLetter(b) }
    @inline(__always) static func isWord(_ b: UInt8) -> Bool { isAlnum(b) || b == 0x5F }
    @inline(__always) static func isHex(_ b: UInt8) -> Bool {
        isDigit(b) || (b | 0x20) &- 0x61 < 6
    }
    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
    @inline(__always) static func isWhitespace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D
    }
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { isUpper(b) ? b | 0x20 : b }
    /// Per byte value: the lowercase byte in the low 8 bits, plus 0x100 for word bytes
    /// (letters, digits, `_`), for the one loop that reads every byte (`ScanText.init`).
    static let classes: [UInt16] = (0..<256).map { v in
        let b = UInt8(v)
        return UInt16(lower(b)) | (isWord(b) ? 0x100 : 0)
    }
    /// Base64 / base64url alphabet, including padding.
    @inline(__always) static func isBase64(_ b: UInt8) -> Bool {
        isAlnum(b) || b == 0x2B || b == 0x2F || b == 0x3D || b == 0x2D || b == 0x5F
    }

    /// Lowercase byte arrays of the given strings.
    static func lowered(_ words: [String]) -> [[UInt8]] { words.map { Array($0.lowercased().utf8) } }
}

/// Maps byte offsets to 1-based line and column (column counted in Unicode scalars) and to
/// character (Unicode scalar) offsets.
struct LineIndex {
    /// Byte offset of each line's start.
    private var starts: [Int] = [0]
    /// Scalar offset of each line's start (empty for ASCII text, where scalars are bytes).
    private var scalarStarts: [Int] = []
    private let bytes: [UInt8]

    init(_ text: ScanText) {
        bytes = text.bytes
        let nonASCII = text.present.hasNonASCII
        if nonASCII { scalarStarts = [0] }
        var starts = self.starts, scalarStarts = self.scalarStarts
        bytes.withUnsafeBufferPointer { b in
            if !nonASCII {
                for i in 0..<b.count where b[i] == 0x0A { starts.append(i + 1) }
                return
            }
            var scalars = 0
            for i in 0..<b.count {
                if b[i] & 0xC0 != 0x80 { scalars += 1 }
                if b[i] == 0x0A {
                    starts.append(i + 1)
                    scalarStarts.append(scalars)
                }
            }
        }
        self.starts = starts
        self.scalarStarts = scalarStarts
    }

    /// Index of the line holding byte `offset`.
    private func line(of offset: Int) -> Int {
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// Scalars from the start of line `line` up to byte `offset`.
    private func scalars(onLine line: Int, upTo offset: Int) -> Int {
        var count = 0
        var i = starts[line]
        while i < offset && i < bytes.count {
            if bytes[i] & 0xC0 != 0x80 { count += 1 }
            i += 1
        }
        return count
    }

    func position(of offset: Int) -> (line: Int, column: Int) {
        let lo = line(of: offset)
        // In ASCII text a column is a byte count.
        if scalarStarts.isEmpty { return (lo + 1, min(offset, bytes.count) - starts[lo] + 1) }
        return (lo + 1, scalars(onLine: lo, upTo: offset) + 1)
    }

    /// Character (Unicode scalar) offset of byte offset `offset` (``ScanText/characterOffset(_:)``
    /// without the walk from the start of the text).
    func characterOffset(_ offset: Int) -> Int {
        if scalarStarts.isEmpty { return offset }
        let lo = line(of: offset)
        return scalarStarts[lo] + scalars(onLine: lo, upTo: offset)
    }
}
