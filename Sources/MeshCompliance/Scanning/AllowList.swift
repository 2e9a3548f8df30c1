/// Allow-list of values a rule must not report, with `*` wildcards (any run of characters).
///
/// `AKIAIOSFODNN7EXAMPLE` matches exactly; `*EXAMPLE` matches any value ending in `EXAMPLE`;
/// `https://example.com/*` matches a prefix. Matching is case-sensitive.
public struct AllowList: Sendable, Equatable {
    /// The raw patterns as written in the pack.
    public let patterns: [String]
    private let compiled: [[UInt8]]

    public init(_ patterns: [String]) {
        self.patterns = patterns
        self.compiled = patterns.map { Array($0.utf8) }
    }

    /// Whether the empty list (fast path).
    public var isEmpty: Bool { patterns.isEmpty }

    /// Whether `value` matches any pattern.
    public func contains(_ value: [UInt8]) -> Bool {
        for p in compiled where Self.glob(p, value) { return true }
        return false
    }

    /// Iterative `*`-only glob matcher with backtracking to the last star.
    static func glob(_ p: [UInt8], _ s: [UInt8]) -> Bool {
        var pi = 0, si = 0, star = -1, mark = 0
        while si < s.count {
            if pi < p.count && p[pi] == 0x2A {
                star = pi; mark = si; pi += 1
            } else if pi < p.count && p[pi] == s[si] {
                pi += 1; si += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; si = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == 0x2A { pi += 1 }
        return pi == p.count
    }
}
