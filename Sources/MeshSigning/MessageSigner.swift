/// Signs byte strings with one principal's active key. Create it once at start-up (usually via
/// `KeyRingStore.loadSigner`) and share it: it is safe to call from many threads at once.
public final class MessageSigner: Sendable {
    /// The public facts about the signing key (id, algorithm, principal).
    public let metadata: KeyMetadata
    private let key: PrivateKey

    private enum PrivateKey: Sendable {
        case hmac(HMACSHA256Key)
        case ed25519(Ed25519PrivateKey)
    }

    /// A signer using an Ed25519 private key. `metadata.algorithm` must be `.ed25519`.
    public init(metadata: KeyMetadata, ed25519 privateKey: Ed25519PrivateKey) {
        precondition(metadata.algorithm == .ed25519, "an Ed25519 key needs ed25519 metadata")
        self.metadata = metadata
        self.key = .ed25519(privateKey)
    }

    /// A signer using an HMAC-SHA256 secret of exactly `HMACSecret.byteCount` bytes.
    /// `metadata.algorithm` must be `.hmacSHA256`.
    /// - Throws: `SigningError.invalidKeyLength` for a secret of another length.
    public init(metadata: KeyMetadata, hmacSecret secret: [UInt8]) throws {
        precondition(metadata.algorithm == .hmacSHA256, "an HMAC secret needs hmac-sha256 metadata")
        try HMACSecret.validate(secret)
        self.metadata = metadata
        self.key = .hmac(try HMACSHA256Key(secret: secret))
    }

    /// Signs `message` and labels the result with this signer's key id and algorithm.
    public func sign<Message: Sequence>(_ message: Message) -> SignatureValue where Message.Element == UInt8 {
        withContiguousBytes(message) { sign($0) }
    }

    /// Signs bytes in memory. Not generic: envelopes are signed in place for every record, and a
    /// generic call from another module is not specialised (it looks up type metadata per call).
    public func sign(_ message: UnsafeRawBufferPointer) -> SignatureValue {
        let bytes: [UInt8]
        switch key {
        case .hmac(let hmac): bytes = hmac.tag(of: message)
        case .ed25519(let privateKey): bytes = privateKey.signature(ofRaw: message)
        }
        return SignatureValue(keyId: metadata.keyId, algorithm: metadata.algorithm, bytes: bytes)
    }

    /// The key verifiers need for this signer's signatures: the public key for Ed25519, or the
    /// same HMAC key (which is why HMAC verifiers can also forge; see `SigningAlgorithm`).
    public var verificationKey: VerificationKey {
        switch key {
        case .hmac(let hmac): return VerificationKey(metadata: metadata, material: .hmac(hmac))
        case .ed25519(let privateKey): return VerificationKey(metadata: metadata, material: .ed25519(privateKey.publicKey))
        }
    }
}

/// Rules for HMAC secrets kept in a key ring.
public enum HMACSecret {
    /// Length of a key-ring HMAC secret: 32 bytes, the SHA-256 output size (RFC 2104 §3).
    public static let byteCount = 32

    /// A fresh random secret.
    public static func generate() throws -> [UInt8] {
        try SecureRandom.bytes(count: byteCount)
    }

    static func validate(_ secret: [UInt8]) throws {
        guard secret.count == byteCount else {
            throw SigningError.invalidKeyLength(algorithm: .hmacSHA256, expected: byteCount, actual: secret.count)
        }
    }
}
