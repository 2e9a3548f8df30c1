/// Finds marker phrases in text and reports 1-based `line:column` positions (columns count
/// Unicode scalars). A marker that starts or ends with a letter or digit must sit on a word
/// boundary there, so `TODO` does not fire inside `TODOS` or `mastodon`.
///
/// Made once per rule. ASCII text (nearly every artifact) is scanned as bytes in place;
/// other text is case-folded and scanned line by line as Unicode scalars.
struct MarkerScanner {
    struct Hit: Hashable {
        var marker: String
        var line: Int
        var column: Int
    }

    let markers: [String]
    let caseSensitive: Bool
    /// The folded markers as scalars, by marker index.
    private let needles: [[Unicode.Scalar]]
    /// The folded markers as bytes, by marker index; `nil` for those that cannot occur in ASCII
    /// text (empty, or not ASCII once folded).
    private let asciiNeedles: [[UInt8]?]
    /// False when a marker spans a line feed: such markers are matched line by line only.
    private let bytesScannable: Bool
    /// By byte: whether some ASCII needle starts with it (either case when case-insensitive).
    private let startsNeedle: [Bool]

    init(markers: [String], caseSensitive: Bool) {
        self.markers = markers
        self.caseSensitive = caseSensitive
        let folded = markers.map { caseSensitive ? $0 : $0.lowercased() }
        needles = folded.map { Array($0.unicodeScalars) }
        asciiNeedles = folded.map { $0.isEmpty || !$0.utf8.allSatisfy { $0 < 0x80 } ? nil : Array($0.utf8) }
        bytesScannable = !folded.contains { $0.utf8.contains(Self.lineFeed) }
        var startsNeedle = [Bool](repeating: false, count: 128)
        for case let first? in asciiNeedles.map({ $0?.first }) {
            startsNeedle[Int(first)] = true
            if !caseSensitive, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") { startsNeedle[Int(first) - 0x20] = true }
        }
        self.startsNeedle = startsNeedle
    }

    func scan(_ text: String) -> [Hit] {
        var text = text
        return text.withUTF8(scanASCII) ?? scanScalars(text)
    }

    /// The hits in UTF-8 `bytes`, or `nil` when they are not valid UTF-8 (not text).
    func scan(utf8 bytes: [UInt8]) -> [Hit]? {
        if let hits = bytes.withUnsafeBufferPointer(scanASCII) { return hits }
        return String(validating: bytes, as: UTF8.self).map(scanScalars)
    }

    private static let lineFeed = UInt8(ascii: "\n")

    /// `nil` unless every byte is ASCII. Lines end at every line feed, as in ``scanScalars(_:)``:
    /// a CR LF pair is one line break, and its CR ends the line, after every column a marker can
    /// start at.
    private func scanASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> [Hit]? {
        guard bytesScannable, bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        var hits: [Hit] = []
        var line = 1
        var lineStart = 0
        for start in bytes.indices {
            let byte = bytes[start]
            if byte == Self.lineFeed {
                line += 1
                lineStart = start + 1
                continue
            }
            guard startsNeedle[Int(byte)] else { continue }
            for (index, needle) in asciiNeedles.enumerated() {
                if let needle, matches(needle, in: bytes, at: start) {
                    hits.append(Hit(marker: markers[index], line: line, column: start - lineStart + 1))
                }
            }
        }
        return hits
    }

    private func matches(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        guard start + needle.count <= bytes.count else { return false }
        for offset in needle.indices where fold(bytes[start + offset]) != needle[offset] { return false }
        // Neighbours outside the line are line feeds, never word characters.
        if isWord(needle.first!), start > 0, isWord(bytes[start - 1]) { return false }
        let end = start + needle.count
        if isWord(needle.last!), end < bytes.count, isWord(bytes[end]) { return false }
        return true
    }

    private func fold(_ byte: UInt8) -> UInt8 {
        !caseSensitive && byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    private func isWord(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"): true
        default: false
        }
    }

    private func scanScalars(_ text: String) -> [Hit] {
        var hits: [Hit] = []
        var lineNumber = 0
        // Split at line feed scalars: as a `Character`, CR LF is one grapheme that is not "\n".
        for lineScalars in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = String(String.UnicodeScalarView(lineScalars))
            let scalars = Array((caseSensitive ? line : line.lowercased()).unicodeScalars)
            for start in scalars.indices {
                for (index, needle) in needles.enumerated() where matches(needle, in: scalars, at: start) {
                    hits.append(Hit(marker: markers[index], line: lineNumber, column: start + 1))
                }
            }
        }
        return hits
    }

    private func matches(_ needle: [Unicode.Scalar], in scalars: [Unicode.Scalar], at start: Int) -> Bool {
        guard !needle.isEmpty, start + needle.count <= scalars.count else { return false }
        for offset in needle.indices where scalars[start + offset] != needle[offset] { return false }
        if isWord(needle.first!), start > 0, isWord(scalars[start - 1]) { return false }
        let end = start + needle.count
        if isWord(needle.last!), end < scalars.count, isWord(scalars[end]) { return false }
        return true
    }

    private func isWord(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar == "_"
    }
}
