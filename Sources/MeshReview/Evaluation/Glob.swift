/// Path globs over artifact names: `*` matches within one path segment, `?` one character
/// other than `/`, `**` any number of segments (`**/` may match nothing). A pattern without
/// `/` is matched against the last path segment only, so `*.swift` finds Swift files anywhere.
///
/// Matching reads the UTF-8 bytes of both strings in place: the reviewer matches every glob
/// of its rules against every artifact name of every result, so it allocates nothing.
public enum Glob {
    public static func matches(_ pattern: String, _ path: String) -> Bool {
        var pattern = pattern
        var path = path
        return pattern.withUTF8 { pattern in
            path.withUTF8 { path in
                guard !pattern.contains(slash) else { return match(pattern[...], path[...]) }
                return match(pattern[...], lastSegment(of: path))
            }
        }
    }

    private typealias Bytes = Slice<UnsafeBufferPointer<UInt8>>

    /// The last non-empty `/`-separated segment, or the whole path when it has none.
    private static func lastSegment(of path: UnsafeBufferPointer<UInt8>) -> Bytes {
        guard let end = path.lastIndex(where: { $0 != slash }) else { return path[...] }
        let start = path[..<end].lastIndex(of: slash).map { $0 + 1 } ?? 0
        return path[start...end]
    }

    private static let star = UInt8(ascii: "*")
    private static let question = UInt8(ascii: "?")
    private static let slash = UInt8(ascii: "/")

    private static func match(_ pattern: Bytes, _ text: Bytes) -> Bool {
        guard let first = pattern.first else { return text.isEmpty }
        if first == star {
            let doubled = pattern.dropFirst().first == star
            if doubled {
                let rest = pattern.dropFirst(2)
                // `**/` also matches zero directories.
                if rest.first == slash, match(rest.dropFirst(), text) { return true }
                var index = text.startIndex
                while true {
                    if match(rest, text[index...]) { return true }
                    if index == text.endIndex { return false }
                    index += 1
                }
            }
            var index = text.startIndex
            while true {
                if match(pattern.dropFirst(), text[index...]) { return true }
                if index == text.endIndex || text[index] == slash { return false }
                index += 1
            }
        }
        guard let next = text.first else { return false }
        if first == question { return next != slash && match(pattern.dropFirst(), text.dropFirst()) }
        return first == next && match(pattern.dropFirst(), text.dropFirst())
    }
}
