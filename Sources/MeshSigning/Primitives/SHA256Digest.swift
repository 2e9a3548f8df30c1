import COpenSSL

/// SHA-256 over byte strings (FIPS 180-4), computed by libcrypto.
///
/// The `EVP_MD` implementation is fetched from the provider once per process, so a call costs
/// only the hashing itself.
public enum SHA256Digest {
    /// Length of a SHA-256 digest in bytes.
    public static let byteCount = 32

    /// The 32-byte SHA-256 digest of `message`.
    public static func hash<Message: Sequence>(_ message: Message) -> [UInt8] where Message.Element == UInt8 {
        withContiguousBytes(message) { input in
            [UInt8](unsafeUninitializedCapacity: byteCount) { output, initialized in
                var length: UInt32 = 0
                let ok = EVP_Digest(input.baseAddress, input.count, output.baseAddress, &length,
                                    FetchedDigest.sha256.pointer, nil)
                // Hashing into a correctly sized buffer with a fetched MD only fails when
                // libcrypto cannot allocate; there is nothing sensible to return then.
                precondition(ok == 1 && length == UInt32(byteCount), "EVP_Digest(SHA256) failed")
                initialized = byteCount
            }
        }
    }

    /// The SHA-256 digest of `message` as 64 lower-case hex characters.
    public static func hex<Message: Sequence>(_ message: Message) -> String where Message.Element == UInt8 {
        Hex.encode(hash(message))
    }
}

/// An `EVP_MD` fetched once and kept for the life of the process.
final class FetchedDigest: @unchecked Sendable {
    // Safe to share: a fetched EVP_MD is immutable and reference-counted by libcrypto.
    let pointer: OpaquePointer

    static let sha256 = FetchedDigest(name: "SHA256")

    private init(name: String) {
        guard let md = EVP_MD_fetch(nil, name, nil) else {
            fatalError("libcrypto has no \(name) implementation; is the default provider loaded?")
        }
        pointer = md
    }
}
