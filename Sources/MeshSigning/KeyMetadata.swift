import Foundation

/// The public facts about one key: who holds it, which scheme it uses, and where it is in its
/// life cycle. Carries no key material.
public struct KeyMetadata: Sendable, Hashable {
    /// Unique, readable id, e.g. `reviewer-20260314-9f2c01ab`.
    public var keyId: String
    /// The signature scheme.
    public var algorithm: SigningAlgorithm
    /// The role or person that holds the private key.
    public var principal: String
    /// Whether `principal` is a role or a person.
    public var principalKind: PrincipalKind
    /// Active, retired (still verifies) or revoked (no longer verifies).
    public var status: KeyStatus
    /// When the key was created.
    public var created: Date

    /// Metadata for a key; `created` defaults to now.
    public init(
        keyId: String, algorithm: SigningAlgorithm, principal: String, principalKind: PrincipalKind,
        status: KeyStatus = .active, created: Date = Date()
    ) {
        self.keyId = keyId
        self.algorithm = algorithm
        self.principal = principal
        self.principalKind = principalKind
        self.status = status
        self.created = created
    }
}
