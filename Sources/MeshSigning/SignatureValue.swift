/// One signature over a byte string, as carried next to the sealed envelope bytes.
public struct SignatureValue: Sendable, Hashable {
    /// Id of the key that made the signature; verifiers look it up in their trust store.
    public var keyId: String
    /// The scheme the signer used; must match the trusted key's algorithm.
    public var algorithm: SigningAlgorithm
    /// The signature bytes (32 for HMAC-SHA256, 64 for Ed25519).
    public var bytes: [UInt8]

    /// A signature value as read from the wire.
    public init(keyId: String, algorithm: SigningAlgorithm, bytes: [UInt8]) {
        self.keyId = keyId
        self.algorithm = algorithm
        self.bytes = bytes
    }
}
