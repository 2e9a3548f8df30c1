/// The verification side of signing: key id → verification key, for every principal whose
/// messages this process accepts. Immutable once built, so it can be shared across threads;
/// build a new one to pick up rotations.
///
/// Verification rules, applied to the signatures carried with a message:
/// - no signatures → `noSignatures`;
/// - signatures by key ids this store does not know are skipped (a producer may add a key
///   this verifier has not loaded yet), but if *no* signature uses a known key → `unknownKeyId`;
/// - every signature by a known key must check out: a revoked key → `revokedKey`, an algorithm
///   that differs from the key's → `algorithmMismatch`, wrong bytes → `badSignature`. One bad
///   signature by a known key rejects the message even if another is good: the bytes are not
///   what that principal signed, so something is wrong;
/// - retired keys verify (old messages stay valid after rotation).
public struct TrustStore: Sendable {
    private var keys: [String: VerificationKey]

    /// A trust store over `keys`.
    /// - Throws: `SigningError.duplicateKeyId` when two keys share an id.
    public init(_ keys: [VerificationKey] = []) throws {
        self.keys = [:]
        for key in keys { try insert(key) }
    }

    /// Adds `key`.
    /// - Throws: `SigningError.duplicateKeyId` when its id is already present.
    public mutating func insert(_ key: VerificationKey) throws {
        guard keys[key.metadata.keyId] == nil else { throw SigningError.duplicateKeyId(key.metadata.keyId) }
        keys[key.metadata.keyId] = key
    }

    /// The key with id `keyId`, if trusted.
    public func key(id keyId: String) -> VerificationKey? { keys[keyId] }

    /// Metadata of every key, ordered by key id.
    public var allKeys: [KeyMetadata] { keys.values.map(\.metadata).sorted { $0.keyId < $1.keyId } }

    /// Verifies `message` against `signatures` and returns the first valid signer (see the type
    /// documentation for the rules).
    public func verify<Message: Sequence>(_ message: Message, signatures: [SignatureValue]) throws -> VerifiedSigner
    where Message.Element == UInt8 {
        try withContiguousBytes(message) { try verify($0, signatures: signatures) }
    }

    /// `verify(_:signatures:)` for bytes in memory. Not generic: it runs for every received
    /// record, and a generic call from another module is not specialised.
    public func verify(_ message: UnsafeRawBufferPointer, signatures: [SignatureValue]) throws -> VerifiedSigner {
        // One signature by a known key is the common case: the same checks as `verifyAll`,
        // without building the list of signers.
        if signatures.count == 1, let key = keys[signatures[0].keyId] {
            return try check(signatures[0], with: key, over: message)
        }
        return try verifyAll(message, signatures: signatures)[0]
    }

    /// Verifies `message` and requires that `principal` is among its valid signers (e.g. an
    /// approval must come from the named person, a verdict from the reviewer role).
    /// - Throws: `SigningError.principalMismatch` when it verifies only as other principals.
    public func verify<Message: Sequence>(_ message: Message, signatures: [SignatureValue], from principal: String) throws -> VerifiedSigner
    where Message.Element == UInt8 {
        let signers = try verifyAll(message, signatures: signatures)
        guard let signer = signers.first(where: { $0.principal == principal }) else {
            throw SigningError.principalMismatch(expected: principal, actual: signers.map(\.principal))
        }
        return signer
    }

    /// Verifies `message` and returns every valid signer, in signature order (co-signed
    /// messages, e.g. a role's output countersigned by a person).
    public func verifyAll<Message: Sequence>(_ message: Message, signatures: [SignatureValue]) throws -> [VerifiedSigner]
    where Message.Element == UInt8 {
        try withContiguousBytes(message) { try verifyAll($0, signatures: signatures) }
    }

    private func verifyAll(_ bytes: UnsafeRawBufferPointer, signatures: [SignatureValue]) throws -> [VerifiedSigner] {
        guard !signatures.isEmpty else { throw SigningError.noSignatures }
        var signers: [VerifiedSigner] = []
        var firstUnknown: String?
        for signature in signatures {
            guard let key = keys[signature.keyId] else {
                if firstUnknown == nil { firstUnknown = signature.keyId }
                continue
            }
            signers.append(try check(signature, with: key, over: bytes))
        }
        if signers.isEmpty, let firstUnknown { throw SigningError.unknownKeyId(firstUnknown) }
        return signers
    }

    private func check(_ signature: SignatureValue, with key: VerificationKey, over bytes: UnsafeRawBufferPointer) throws -> VerifiedSigner {
        let metadata = key.metadata
        guard metadata.status != .revoked else { throw SigningError.revokedKey(keyId: metadata.keyId) }
        guard signature.algorithm == metadata.algorithm else {
            throw SigningError.algorithmMismatch(keyId: metadata.keyId, signature: signature.algorithm, key: metadata.algorithm)
        }
        guard key.isValid(signature.bytes, for: bytes) else { throw SigningError.badSignature(keyId: metadata.keyId) }
        return VerifiedSigner(
            keyId: metadata.keyId, principal: metadata.principal,
            principalKind: metadata.principalKind, algorithm: metadata.algorithm)
    }
}
