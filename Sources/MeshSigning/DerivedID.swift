/// Deterministic identifiers for derived envelopes.
///
/// An envelope caused by another gets its id from the causing id, the emitting role and
/// the kind of output (plus a discriminator such as a task id or attempt), so a redelivered
/// input yields byte-identical outputs that every consumer drops as duplicates. The id is
/// a UUID (RFC 9562 version 8, name-based) over a domain-separated, length-prefixed SHA-256,
/// so no two different inputs collide by concatenation.
public enum DerivedID {
    public static func make(causeID: String, role: String, output: String, discriminator: String = "") -> String {
        var input = Array("agentmesh-derived-id-v1\0".utf8)
        for part in [causeID, role, output, discriminator] {
            let bytes = Array(part.utf8)
            let length = UInt32(bytes.count)
            input += [UInt8(length >> 24), UInt8((length >> 16) & 0xff), UInt8((length >> 8) & 0xff), UInt8(length & 0xff)]
            input += bytes
        }
        var digest = Array(SHA256Digest.hash(input).prefix(16))
        digest[6] = (digest[6] & 0x0f) | 0x80  // version 8
        digest[8] = (digest[8] & 0x3f) | 0x80  // RFC 9562 variant
        let hex = Hex.encode(digest)
        let characters = Array(hex)
        func slice(_ from: Int, _ to: Int) -> String { String(characters[from..<to]) }
        return "\(slice(0, 8))-\(slice(8, 12))-\(slice(12, 16))-\(slice(16, 20))-\(slice(20, 32))"
    }
}
