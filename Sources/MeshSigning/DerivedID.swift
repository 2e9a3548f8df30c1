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
        // One stack buffer for the hashed input and the digest: this runs for every derived
        // envelope (about a dozen per objective in the orchestrator), where an array of the
        // parts, the input array and the digest array were three heap allocations each time.
        let length = domain.count + 16 + causeID.utf8.count + role.utf8.count + output.utf8.count + discriminator.utf8.count
        return withUnsafeTemporaryAllocation(byteCount: length + SHA256Digest.byteCount, alignment: 1) { buffer in
            var position = 0
            func append(_ bytes: UnsafeRawBufferPointer) {
                guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
                (buffer.baseAddress! + position).copyMemory(from: base, byteCount: bytes.count)
                position += bytes.count
            }
            func append(part: String) {
                var part = part
                withUnsafeBytes(of: UInt32(part.utf8.count).bigEndian, append)
                part.withUTF8 { append(UnsafeRawBufferPointer($0)) }
            }
            domain.withUnsafeBytes(append)
            append(part: causeID)
            append(part: role)
            append(part: output)
            append(part: discriminator)
            let digest = UnsafeMutableRawBufferPointer(rebasing: buffer[length...])
            SHA256Digest.hash(UnsafeRawBufferPointer(rebasing: buffer[..<length]), into: digest)
            digest[6] = (digest[6] & 0x0f) | 0x80  // version 8
            digest[8] = (digest[8] & 0x3f) | 0x80  // RFC 9562 variant
            return UUIDText.format(UnsafeRawBufferPointer(digest))
        }
    }
}
