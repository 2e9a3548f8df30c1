/// A set of byte values (256 bits).
///
/// Used two ways: the bytes present in an artifact (``ScanText/present``), and the bytes a
/// detector's matches need (``TextDetector/requiredBytes``), so the evaluator runs only the
/// detectors whose patterns can occur in the artifact at all.
public struct ByteSet: Sendable, Equatable {
    private var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0

    public init() {}

    /// The given bytes.
    public init<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        for b in bytes { insert(b) }
    }

    /// The bytes of `string`'s UTF-8.
    public init(_ string: String) { self.init(string.utf8) }

    /// ASCII digits `0`–`9`.
    public static let digits = ByteSet("0123456789")

    @inline(__always) public mutating func insert(_ b: UInt8) {
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: w0 |= bit
        case 1: w1 |= bit
        case 2: w2 |= bit
        default: w3 |= bit
        }
    }

    public func contains(_ b: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: return w0 & bit != 0
        case 1: return w1 & bit != 0
        case 2: return w2 & bit != 0
        default: return w3 & bit != 0
        }
    }

    /// Number of byte values in the set.
    public var count: Int { w0.nonzeroBitCount + w1.nonzeroBitCount + w2.nonzeroBitCount + w3.nonzeroBitCount }

    /// Whether a byte ≥ 0x80 (UTF-8 beyond ASCII) is in the set.
    public var hasNonASCII: Bool { w2 | w3 != 0 }

    /// Whether the two sets share a byte.
    @inline(__always) public func intersects(_ other: ByteSet) -> Bool {
        (w0 & other.w0) | (w1 & other.w1) | (w2 & other.w2) | (w3 & other.w3) != 0
    }

    /// Both cases of every ASCII letter in `string`, plus its other bytes.
    public static func eitherCase(_ string: String) -> ByteSet {
        ByteSet(string.lowercased() + string.uppercased())
    }
}

/// A set of adjacent byte pairs, hashed on their low six bits each into 4,096 bits.
///
/// Different pairs may share a bit (`p` and `0` have the same low bits), so `contains` can
/// answer true for a pair that is absent, never false for one that is present: a filter
/// that may let a document through, never one that skips a match.
struct BytePairSet: Sendable {
    private var words = [UInt64](repeating: 0, count: 64)

    @inline(__always) private static func bit(_ a: UInt8, _ b: UInt8) -> Int { Int(a & 0x3F) << 6 | Int(b & 0x3F) }

    @inline(__always) mutating func insert(_ a: UInt8, _ b: UInt8) {
        let k = Self.bit(a, b)
        words[k >> 6] |= 1 << UInt64(k & 63)
    }

    /// Runs `body` over the set's 64 words (for the per-byte loop that fills it).
    @inline(__always) mutating func withBits<R>(_ body: (UnsafeMutableBufferPointer<UInt64>) throws -> R) rethrows -> R {
        try words.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// `insert(_:_:)` into the words `withBits` lends.
    @inline(__always) static func insert(_ a: UInt8, _ b: UInt8, into bits: UnsafeMutableBufferPointer<UInt64>) {
        let k = bit(a, b)
        bits[k >> 6] |= 1 << UInt64(k & 63)
    }

    @inline(__always) func contains(_ a: UInt8, _ b: UInt8) -> Bool {
        let k = Self.bit(a, b)
        return words[k >> 6] & (1 << UInt64(k & 63)) != 0
    }
}
