import COpenSSL

/// Ed25519 key sizes (RFC 8032).
public enum Ed25519 {
    /// Length of a private seed and of a public key in bytes.
    public static let keyByteCount = 32
    /// Length of a signature in bytes.
    public static let signatureByteCount = 64
}

/// An Ed25519 private key held as a libcrypto `EVP_PKEY`, created once and reused for every
/// signature. Safe to use from many threads at once (the key is never mutated after creation).
public final class Ed25519PrivateKey: @unchecked Sendable {
    let pkey: OpaquePointer

    /// A new key from a fresh random 32-byte seed.
    public static func generate() throws -> Ed25519PrivateKey {
        var seed = try SecureRandom.bytes(count: Ed25519.keyByteCount)
        defer { wipe(&seed) }
        return try Ed25519PrivateKey(rawRepresentation: seed)
    }

    /// The key whose RFC 8032 private seed is `rawRepresentation` (32 bytes).
    /// - Throws: `SigningError.invalidKeyLength` for any other length.
    public init(rawRepresentation seed: [UInt8]) throws {
        guard seed.count == Ed25519.keyByteCount else {
            throw SigningError.invalidKeyLength(algorithm: .ed25519, expected: Ed25519.keyByteCount, actual: seed.count)
        }
        guard let pkey = EVP_PKEY_new_raw_private_key_ex(nil, "ED25519", nil, seed, seed.count) else {
            throw OpenSSLFailure.error("EVP_PKEY_new_raw_private_key(ED25519)")
        }
        self.pkey = pkey
    }

    deinit { EVP_PKEY_free(pkey) }

    /// The 32-byte private seed. Handle with care: it is the whole secret.
    public var rawRepresentation: [UInt8] {
        rawKey(EVP_PKEY_get_raw_private_key)
    }

    /// The matching public key.
    public var publicKey: Ed25519PublicKey {
        // Cannot fail: 32 bytes read from a valid Ed25519 key.
        try! Ed25519PublicKey(rawRepresentation: rawKey(EVP_PKEY_get_raw_public_key))
    }

    /// The 64-byte Ed25519 signature of `message` (deterministic: same key and message give
    /// the same signature).
    public func signature<Message: Sequence>(for message: Message) -> [UInt8] where Message.Element == UInt8 {
        withContiguousBytes(message) { signature(ofRaw: $0) }
    }

    func signature(ofRaw input: UnsafeRawBufferPointer) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { preconditionFailure("EVP_MD_CTX_new failed") }
        defer { EVP_MD_CTX_free(context) }
        return [UInt8](unsafeUninitializedCapacity: Ed25519.signatureByteCount) { output, initialized in
            var length = Ed25519.signatureByteCount
            // Ed25519 hashes internally, so the digest argument is NULL.
            let ok = EVP_DigestSignInit(context, nil, nil, nil, pkey) == 1
                && EVP_DigestSign(context, output.baseAddress, &length,
                                  input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count) == 1
            // Signing with a valid key only fails when libcrypto cannot allocate.
            precondition(ok && length == Ed25519.signatureByteCount,
                         "Ed25519 signing failed: \(OpenSSLFailure.error("EVP_DigestSign"))")
            initialized = Ed25519.signatureByteCount
        }
    }

    private func rawKey(_ read: (OpaquePointer?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<Int>?) -> Int32) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Ed25519.keyByteCount) { buffer, initialized in
            var length = Ed25519.keyByteCount
            precondition(read(pkey, buffer.baseAddress, &length) == 1 && length == Ed25519.keyByteCount,
                         "reading a raw Ed25519 key failed")
            initialized = length
        }
    }
}

/// An Ed25519 public key held as a libcrypto `EVP_PKEY`, created once and reused for every
/// verification. Safe to use from many threads at once.
public final class Ed25519PublicKey: @unchecked Sendable {
    let pkey: OpaquePointer
    /// The 32-byte encoded public key (RFC 8032 section 5.1.5).
    public let rawRepresentation: [UInt8]

    /// The public key encoded as `rawRepresentation` (32 bytes).
    /// - Throws: `SigningError.invalidKeyLength` for any other length, or
    ///   `SigningError.cryptoFailure` if libcrypto rejects the encoding.
    public init(rawRepresentation: [UInt8]) throws {
        guard rawRepresentation.count == Ed25519.keyByteCount else {
            throw SigningError.invalidKeyLength(algorithm: .ed25519, expected: Ed25519.keyByteCount, actual: rawRepresentation.count)
        }
        guard let pkey = EVP_PKEY_new_raw_public_key_ex(nil, "ED25519", nil, rawRepresentation, rawRepresentation.count) else {
            throw OpenSSLFailure.error("EVP_PKEY_new_raw_public_key(ED25519)")
        }
        self.pkey = pkey
        self.rawRepresentation = rawRepresentation
    }

    deinit { EVP_PKEY_free(pkey) }

    /// True when `signature` is a valid Ed25519 signature of `message` under this key.
    public func isValidSignature<Signature: Sequence, Message: Sequence>(_ signature: Signature, for message: Message) -> Bool
    where Signature.Element == UInt8, Message.Element == UInt8 {
        withContiguousBytes(message) { isValid(signature, forRaw: $0) }
    }

    func isValid<Signature: Sequence>(_ signature: Signature, forRaw input: UnsafeRawBufferPointer) -> Bool
    where Signature.Element == UInt8 {
        withContiguousBytes(signature) { signatureBytes in
            guard signatureBytes.count == Ed25519.signatureByteCount else { return false }
            guard let context = EVP_MD_CTX_new() else { preconditionFailure("EVP_MD_CTX_new failed") }
            defer { EVP_MD_CTX_free(context) }
            let valid = EVP_DigestVerifyInit(context, nil, nil, nil, pkey) == 1
                && EVP_DigestVerify(context, signatureBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), signatureBytes.count,
                                    input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count) == 1
            if !valid { OpenSSLFailure.clear() }
            return valid
        }
    }
}
