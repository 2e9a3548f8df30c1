/// First names and surnames from the 1990 US Census name files (public domain; see
/// `Data/names/README.md`), held as hashes of their lowercase bytes so a look-up costs no
/// allocation.
public enum CensusNames {
    /// First names (female and male), detector split.
    public static let firstNames = NameSet(firstNameData)
    /// Surnames, ranks 1–20,000, detector split.
    public static let surnames = NameSet(surnameData)
}

/// A set of words, case-insensitive, looked up by byte range.
public struct NameSet: Sendable {
    private let hashes: Set<UInt64>

    /// Number of distinct names.
    public var count: Int { hashes.count }

    init(_ lines: String) {
        self.init(words: lines.split(separator: "\n"))
    }

    init(words: some Sequence<Substring>) {
        var set = Set<UInt64>()
        for word in words {
            let bytes = Array(word.utf8)
            set.insert(Self.hash(bytes[...]))
        }
        hashes = set
    }

    /// Whether the word `bytes[start..<end]` is in the set (ASCII case-insensitive).
    public func contains(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Bool {
        hashes.contains(Self.hash(bytes[start..<end]))
    }

    public func contains(_ word: String) -> Bool {
        let b = Array(word.utf8)
        return contains(b, 0, b.count)
    }

    /// FNV-1a over lowercase letters (the Census lists drop apostrophes and hyphens:
    /// `O'Brien` is `OBRIEN`): 64 bits leave no practical collision among 25,000 names.
    @inline(__always) static func hash(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes where b != 0x27 && b != 0x2D {
            h ^= UInt64(ASCII.lower(b))
            h = h &* 0x100_0000_01b3
        }
        return h
    }
}
