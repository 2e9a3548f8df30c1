/// Path globs over artifact names: `*` matches within one path segment, `?` one character
/// other than `/`, `**` any number of segments (`**/` may match nothing). A pattern without
/// `/` is matched against the last path segment only, so `*.swift` finds Swift files anywhere.
public enum Glob {
    public static func matches(_ pattern: String, _ path: String) -> Bool {
        if !pattern.contains("/") {
            let name = path.split(separator: "/").last.map(String.init) ?? path
            return match(Array(pattern.utf8)[...], Array(name.utf8)[...])
        }
        return match(Array(pattern.utf8)[...], Array(path.utf8)[...])
    }

    private static let star = UInt8(ascii: "*")
    private static let question = UInt8(ascii: "?")
    private static let slash = UInt8(ascii: "/")

    private static func match(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
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
