/// The signature schemes a key can use. The raw value is the name used in `trust.json` and
/// on the wire.
///
/// The trade-off: an HMAC verifier must hold the very secret that produces signatures, so any
/// process that can verify a role's HMAC output could also forge it. Ed25519 verifiers hold only
/// public keys, so no role can sign as another and signatures stay non-repudiable; it costs
/// more CPU per message. People always use Ed25519.
///
/// Measured cost for a 1 KiB message (release build, OpenSSL 3.0, shared 2-core Debian VM
/// under load, so upper bounds): HMAC-SHA256 sign ≈ 1.1 µs, verify ≈ 1.2-1.9 µs (stage profile of
/// `meshctl bench transport`; the SHA-256 hashing itself is most of it); Ed25519 sign
/// ≈ 52 µs, verify ≈ 131 µs (`openssl speed ed25519` gives the same 54 µs / 145 µs there).
/// See `MeasurementTests` to re-measure.
public enum SigningAlgorithm: String, Sendable, Hashable, CaseIterable, Codable {
    /// HMAC-SHA256 (RFC 2104, FIPS 198-1): a shared 32-byte secret, 32-byte tags.
    case hmacSHA256 = "hmac-sha256"
    /// Ed25519 (RFC 8032): 32-byte private seed and public key, 64-byte signatures.
    case ed25519 = "ed25519"
}

/// Who holds a key: an automated mesh role or a named person.
public enum PrincipalKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// A mesh role (orchestrator, reviewer, coding agent, ...).
    case role
    /// A human whose signature means approval (always Ed25519).
    case person
}

/// Where a key is in its life cycle.
public enum KeyStatus: String, Sendable, Hashable, CaseIterable, Codable {
    /// The key new signatures are made with (one per principal).
    case active
    /// Replaced by rotation: signs nothing new, but what it signed still verifies.
    case retired
    /// Withdrawn (e.g. compromised): nothing it signed verifies any more.
    case revoked
}
