/// Finds marker phrases in text and reports 1-based `line:column` positions (columns count
/// Unicode scalars). A marker that starts or ends with a letter or digit must sit on a word
/// boundary there, so `TODO` does not fire inside `TODOS` or `mastodon`.
struct MarkerScanner {
    struct Hit: Hashable {
        var marker: String
        var line: Int
        var column: Int
    }

    let markers: [String]
    let caseSensitive: Bool

    func scan(_ text: String) -> [Hit] {
        var hits: [Hit] = []
        let needles = markers.map { Array(fold($0).unicodeScalars) }
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let scalars = Array(fold(String(line)).unicodeScalars)
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

    private func fold(_ text: String) -> String { caseSensitive ? text : text.lowercased() }
}
