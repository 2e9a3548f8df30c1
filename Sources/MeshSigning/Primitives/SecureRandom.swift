import COpenSSL

/// Cryptographically secure random bytes from libcrypto's DRBG (`RAND_bytes`).
public enum SecureRandom {
    /// Returns `count` random bytes.
    /// - Throws: `SigningError.cryptoFailure` if the generator is not seeded (it should never
    ///   happen on Linux; treat it as fatal for key generation).
    public static func bytes(count: Int) throws -> [UInt8] {
        precondition(count >= 0, "count must not be negative")
        var output = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return output }
        let ok = output.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        guard ok == 1 else { throw OpenSSLFailure.error("RAND_bytes") }
        return output
    }
}
