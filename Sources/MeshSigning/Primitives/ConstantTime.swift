import COpenSSL

/// Comparisons whose running time does not depend on where two secrets differ.
public enum ConstantTime {
    /// True when `lhs` and `rhs` hold the same bytes. The lengths are compared openly (they are
    /// not secret); the contents are compared with `CRYPTO_memcmp`.
    public static func equals<A: Sequence, B: Sequence>(_ lhs: A, _ rhs: B) -> Bool
    where A.Element == UInt8, B.Element == UInt8 {
        withContiguousBytes(lhs) { left in
            withContiguousBytes(rhs) { right in
                guard left.count == right.count else { return false }
                guard left.count > 0 else { return true }
                return CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0
            }
        }
    }
}
