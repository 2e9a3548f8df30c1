import Foundation

extension KeyRingStore {
    /// Takes a person's active Ed25519 seed out of the ring, so that another store (the
    /// console's users file, sealed under the person's password) holds the only copy; the
    /// trust entry stays, so what the key signs still verifies everywhere.
    /// - Throws: `noActiveKey` when the person has no active key; `malformedKeyFile` when the
    ///   principal is not a person or the seed does not match its public key in `trust.json`.
    public static func takePersonSeed(principal: String, from directory: String) throws -> (metadata: KeyMetadata, seed: [UInt8]) {
        let layout = KeyRingLayout(directory: directory)
        let entries = try TrustFile.read(layout.trustFile)
        guard let entry = entries.first(where: { $0.metadata.principal == principal && $0.metadata.status == .active })
        else { throw SigningError.noActiveKey(principal: principal) }
        let path = layout.keyFile(principal: principal, keyId: entry.metadata.keyId)
        guard entry.metadata.principalKind == .person, entry.metadata.algorithm == .ed25519 else {
            throw SigningError.malformedKeyFile(path: path, keyId: entry.metadata.keyId, field: nil,
                                                reason: "\(principal) is not a person with an Ed25519 key; only people's keys are sealed")
        }
        let seed = try PrivateKeyFile.load(path, keyId: entry.metadata.keyId, length: Ed25519.keyByteCount)
        guard try Ed25519PrivateKey(rawRepresentation: seed).publicKey.rawRepresentation == entry.publicKey else {
            throw SigningError.malformedKeyFile(path: path, keyId: entry.metadata.keyId, field: nil,
                                                reason: "private key does not match the publicKey in trust.json")
        }
        try FileManager.default.removeItem(atPath: path)
        return (entry.metadata, seed)
    }
}
