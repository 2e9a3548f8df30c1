import MeshSigning

/// A signed statement "the log `logID` had `sequence` records, ending in `headHash`, with
/// Merkle tree head `merkleRoot`" (a signed tree head in RFC 6962 terms).
///
/// Copy the latest checkpoint somewhere the database owner cannot write (ticket, e-mail,
/// another system): only an external copy lets a verifier detect a rewrite of the whole log
/// together with its checkpoints.
public struct AuditCheckpoint: Sendable, Hashable {
    /// Identity of the log (random, fixed when the store was created).
    public var logID: String
    /// Number of records covered, i.e. the sequence of the last one.
    public var sequence: Int64
    /// `recordHash` of record `sequence`.
    public var headHash: [UInt8]
    /// RFC 6962 tree head over the record hashes of records 1…`sequence`.
    public var merkleRoot: [UInt8]
    /// When the checkpoint was made, unix microseconds.
    public var createdAtMicros: Int64
    /// The signature over `signedBytes` (carries the key id and algorithm).
    public var signature: SignatureValue

    /// A checkpoint as stored or received.
    public init(logID: String, sequence: Int64, headHash: [UInt8], merkleRoot: [UInt8], createdAtMicros: Int64, signature: SignatureValue) {
        self.logID = logID
        self.sequence = sequence
        self.headHash = headHash
        self.merkleRoot = merkleRoot
        self.createdAtMicros = createdAtMicros
        self.signature = signature
    }

    /// Domain tag that starts every version-1 checkpoint encoding.
    public static let domain = "agentmesh-audit-checkpoint-v1\0"

    /// The canonical bytes the signature covers: the domain tag, then log id (text), sequence
    /// (int64), head hash (bytes), Merkle root (bytes), created-at (int64 µs), signer key id
    /// (text) and algorithm name (text), written as described in `AuditRecordHasher`.
    public static func signedBytes(
        logID: String, sequence: Int64, headHash: [UInt8], merkleRoot: [UInt8], createdAtMicros: Int64,
        keyID: String, algorithm: SigningAlgorithm
    ) -> [UInt8] {
        var encoder = CanonicalEncoder(domain: domain, reservingCapacity: 192)
        encoder.append(logID)
        encoder.append(sequence)
        encoder.append(headHash)
        encoder.append(merkleRoot)
        encoder.append(createdAtMicros)
        encoder.append(keyID)
        encoder.append(algorithm.rawValue)
        return encoder.bytes
    }

    /// The bytes this checkpoint's signature must cover.
    public var signedBytes: [UInt8] {
        Self.signedBytes(logID: logID, sequence: sequence, headHash: headHash, merkleRoot: merkleRoot,
                         createdAtMicros: createdAtMicros, keyID: signature.keyId, algorithm: signature.algorithm)
    }

    /// A checkpoint signed by `signer`.
    public static func sign(
        logID: String, sequence: Int64, headHash: [UInt8], merkleRoot: [UInt8], createdAtMicros: Int64, signer: MessageSigner
    ) -> AuditCheckpoint {
        let bytes = signedBytes(logID: logID, sequence: sequence, headHash: headHash, merkleRoot: merkleRoot,
                                createdAtMicros: createdAtMicros, keyID: signer.metadata.keyId,
                                algorithm: signer.metadata.algorithm)
        return AuditCheckpoint(logID: logID, sequence: sequence, headHash: headHash, merkleRoot: merkleRoot,
                               createdAtMicros: createdAtMicros, signature: signer.sign(bytes))
    }

    /// Checks the signature against `trust`.
    /// - Throws: the `SigningError` from `TrustStore.verify` (unknown key, bad signature, ...).
    @discardableResult
    public func verifySignature(trust: TrustStore) throws -> VerifiedSigner {
        try trust.verify(signedBytes, signatures: [signature])
    }
}
