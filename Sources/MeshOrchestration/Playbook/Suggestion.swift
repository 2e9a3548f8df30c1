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
        if let best { return best.candidate }
        return longestSharedPrefix(with: word, in: candidates)
    }

    /// The single candidate sharing the longest prefix (at least 3 characters) with `word`,
    /// which catches truncations and wrong endings such as `coder` for `coding`.
    private static func longestSharedPrefix(with word: String, in candidates: some Sequence<String>) -> String? {
        let lowered = Array(word.lowercased())
        var best: (candidate: String, length: Int, unique: Bool)?
        for candidate in candidates.sorted() {
            let length = zip(lowered, Array(candidate.lowercased())).prefix { $0 == $1 }.count
            guard length >= 3 else { continue }
            if length > best?.length ?? 0 {
                best = (candidate, length, true)
            } else if length == best?.length {
                best?.unique = false
            }
        }
        return best.flatMap { $0.unique ? $0.candidate : nil }
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
