import MeshWire

/// Deterministic identifiers for derived envelopes.
///
/// An envelope caused by another gets its id from the causing id, the emitting role and
/// the kind of output (plus a discriminator such as a task id or attempt), so a redelivered
/// input yields byte-identical outputs that every consumer drops as duplicates. The id is
/// a UUID (RFC 9562 version 8, name-based) over a domain-separated, length-prefixed SHA-256,
/// so no two different inputs collide by concatenation.
public enum DerivedID {
    private static let domain = Array("agentmesh-derived-id-v1\0".utf8)

    public static func make(causeID: String, role: String, output: String, discriminator: String = "") -> String {
        let parts = [causeID, role, output, discriminator]
        var input: [UInt8] = []
        input.reserveCapacity(Self.domain.count + parts.reduce(0) { $0 + 4 + $1.utf8.count })
        input += Self.domain
        for part in parts {
            withUnsafeBytes(of: UInt32(part.utf8.count).bigEndian) { input += $0 }
            input += part.utf8
        }
        var digest = SHA256Digest.hash(input)
        digest[6] = (digest[6] & 0x0f) | 0x80  // version 8
        digest[8] = (digest[8] & 0x3f) | 0x80  // RFC 9562 variant
        return digest.withUnsafeBytes { UUIDText.format($0) }
    }
}
