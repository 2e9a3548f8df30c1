import COpenSSL

/// SHA-256 over byte strings (FIPS 180-4), computed by libcrypto's block functions (SHA-NI
/// where the CPU has it) with the context on the stack: no allocation or provider dispatch
/// per digest.
public enum SHA256Digest {
    /// Length of a SHA-256 digest in bytes.
    public static let byteCount = 32

    /// The 32-byte SHA-256 digest of `message`.
    public static func hash<Message: Sequence>(_ message: Message) -> [UInt8] where Message.Element == UInt8 {
        withContiguousBytes(message) { input in
            [UInt8](unsafeUninitializedCapacity: byteCount) { output, initialized in
                hash(input, into: UnsafeMutableRawBufferPointer(output))
                initialized = byteCount
            }
        }
    }

    /// Writes the digest of `input` into the first `byteCount` bytes of `output`, without
    /// allocating (for callers hashing on a hot path into a buffer of their own).
    public static func hash(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count >= byteCount, "a SHA-256 digest takes \(byteCount) bytes")
        // The block functions cannot fail on a correctly sized buffer.
        precondition(agentmesh_sha256(input.baseAddress, input.count, output.baseAddress) == 1, "SHA-256 failed")
    }

    /// The SHA-256 digest of `message` as 64 lower-case hex characters.
    public static func hex<Message: Sequence>(_ message: Message) -> String where Message.Element == UInt8 {
        Hex.encode(hash(message))
    }
}
