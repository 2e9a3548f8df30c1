/// A line diff of two texts (longest common subsequence), for showing what changed between
/// two attempts at a task. Pure; texts above `limit` lines each are not diffed (nil), since
/// the table is quadratic and the page must stay fast.
public enum LineDiff {
    public enum Line: Sendable, Equatable {
        case same(String)
        case removed(String)
        case added(String)
    }

    public static func diff(_ old: String, _ new: String, limit: Int = 2_000) -> [Line]? {
        let a = lines(old), b = lines(new)
        guard a.count <= limit, b.count <= limit else { return nil }
        // suffix[i][j]: length of the longest common subsequence of a[i...] and b[j...].
        var suffix = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                suffix[i][j] = a[i] == b[j] ? suffix[i + 1][j + 1] + 1 : max(suffix[i + 1][j], suffix[i][j + 1])
            }
        }
        var result: [Line] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                result.append(.same(a[i])); i += 1; j += 1
            } else if i < a.count, j == b.count || suffix[i + 1][j] >= suffix[i][j + 1] {
                // Removals before additions, as diff tools show a changed line.
                result.append(.removed(a[i])); i += 1
            } else {
                result.append(.added(b[j])); j += 1
            }
        }
        return result
    }

    static func lines(_ text: String) -> [String] {
        text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
