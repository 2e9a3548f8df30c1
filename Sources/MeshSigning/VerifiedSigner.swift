/// Who signed a message, as established by `TrustStore.verify`.
public struct VerifiedSigner: Sendable, Hashable {
    /// The key that produced a valid signature.
    public var keyId: String
    /// The role or person holding that key.
    public var principal: String
    /// Whether the principal is a role or a person.
    public var principalKind: PrincipalKind
    /// The scheme of the valid signature.
    public var algorithm: SigningAlgorithm

    /// A verified signer record.
    public init(keyId: String, principal: String, principalKind: PrincipalKind, algorithm: SigningAlgorithm) {
        self.keyId = keyId
        self.principal = principal
        self.principalKind = principalKind
        self.algorithm = algorithm
    }
}
