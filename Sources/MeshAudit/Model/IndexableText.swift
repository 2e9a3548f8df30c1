import Foundation

/// An envelope field as an indexed column value. PostgreSQL text cannot hold U+0000, so a
/// NUL (legal in protobuf strings) would make every append of its batch fail and stall the
/// sink; it is replaced by U+FFFD in the indexed copy. The raw bytes keep the original.
public func indexable(_ text: String) -> String {
    guard containsNUL(text) else { return text }
    return String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : $0 }))
}

/// True when `text` holds U+0000; scans its UTF-8 bytes in place (this runs for every text
/// field of every appended record).
func containsNUL(_ text: String) -> Bool {
    text.utf8.withContiguousStorageIfAvailable { utf8 in
        guard let base = utf8.baseAddress, !utf8.isEmpty else { return false }
        return memchr(base, 0, utf8.count) != nil
    } ?? text.utf8.contains(0)
}
