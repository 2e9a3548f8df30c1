/// "Did you mean ...?" hints for misspelt fields, roles and task ids.
enum Suggestion {
    /// The candidate nearest to `word` by edit distance, when near enough to be a typo.
    static func nearest(to word: String, in candidates: some Sequence<String>) -> String? {
        let tolerance = max(2, word.count / 3)
        var best: (candidate: String, distance: Int)?
        for candidate in candidates.sorted() {
            let distance = levenshtein(word.lowercased(), candidate.lowercased())
            if distance <= tolerance, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.candidate
    }

    /// `; did you mean "x"?` or `; expected one of a, b, c`.
    static func hint(for word: String, in candidates: [String]) -> String {
        if let match = nearest(to: word, in: candidates) { return "; did you mean \"\(match)\"?" }
        return "; expected one of \(candidates.joined(separator: ", "))"
    }

    private static func levenshtein(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var diagonal = row[0]
            row[0] = i
            for j in 1...b.count {
                let above = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1))
                diagonal = above
            }
        }
        return row[b.count]
    }
}
