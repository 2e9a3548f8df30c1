/// What a verifier holds for one key id: the key's metadata plus the Ed25519 public key or,
/// for HMAC-SHA256, the shared secret (already keyed into libcrypto).
public struct VerificationKey: Sendable {
    /// The public facts about the key.
    public let metadata: KeyMetadata
    let material: Material

    enum Material: Sendable {
        case hmac(HMACSHA256Key)
        case ed25519(Ed25519PublicKey)
    }

    init(metadata: KeyMetadata, material: Material) {
        self.metadata = metadata
        self.material = material
    }

    /// A verification key from a 32-byte Ed25519 public key.
    /// - Throws: `SigningError.invalidKeyLength` for another length.
    public static func ed25519(_ metadata: KeyMetadata, publicKey: [UInt8]) throws -> VerificationKey {
        precondition(metadata.algorithm == .ed25519, "an Ed25519 public key needs ed25519 metadata")
        return VerificationKey(metadata: metadata, material: .ed25519(try Ed25519PublicKey(rawRepresentation: publicKey)))
    }

    /// A verification key from a 32-byte HMAC-SHA256 secret.
    /// - Throws: `SigningError.invalidKeyLength` for another length.
    public static func hmacSHA256(_ metadata: KeyMetadata, secret: [UInt8]) throws -> VerificationKey {
        precondition(metadata.algorithm == .hmacSHA256, "an HMAC secret needs hmac-sha256 metadata")
        try HMACSecret.validate(secret)
        return VerificationKey(metadata: metadata, material: .hmac(try HMACSHA256Key(secret: secret)))
    }

    /// The raw Ed25519 public key, or nil for an HMAC key.
    public var ed25519PublicKey: [UInt8]? {
        if case .ed25519(let publicKey) = material { return publicKey.rawRepresentation }
        return nil
    }

    /// True when `signature` is valid for `message` under this key (no status checks).
    func isValid(_ signature: [UInt8], for message: UnsafeRawBufferPointer) -> Bool {
        switch material {
        case .hmac(let key): return key.isValid(signature, forRaw: message)
        case .ed25519(let key): return key.isValid(signature, forRaw: message)
        }
    }
}
