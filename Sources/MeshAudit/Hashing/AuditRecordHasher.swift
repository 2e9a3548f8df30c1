import MeshSigning

/// The record hash of the audit log (version 1). Pure and deterministic.
///
/// `recordHash = SHA-256(encoding)` where `encoding` is, in this order (see `CanonicalEncoder`
/// for how each kind of field is written):
///
/// 1. the domain tag `"agentmesh-audit-record-v1\0"` (raw bytes);
/// 2. `sequence` (int64), `previousHash` (bytes);
/// 3. envelope id, type, source, subject, correlation id, causation id (text);
/// 4. event time (int64 µs); signer key id, signer principal (optional text);
/// 5. verification: one byte `0` = verified, `1` = rejected followed by the reason (text);
/// 6. Kafka topic (text), partition (int32), offset (int64), timestamp (int64 ms);
/// 7. SHA-256 of the raw sealed bytes (bytes);
/// 8. `recordedAt` (int64 µs).
///
/// The version lives in the domain tag: a future encoding gets a new tag, never a silent change.
public enum AuditRecordHasher {
    /// Domain tag that starts every version-1 record encoding.
    public static let domain = "agentmesh-audit-record-v1\0"

    /// The 32 zero bytes the first record chains to.
    public static let genesisHash = [UInt8](repeating: 0, count: SHA256Digest.byteCount)

    /// The canonical encoding that the record hash covers (the raw bytes enter through
    /// `input.rawSHA256`, their digest made with the input).
    public static func encoding(
        sequence: Int64, previousHash: [UInt8], recordedAtMicros: Int64, input: AuditRecordInput
    ) -> [UInt8] {
        // A typical record encodes to ~350 bytes (ids are 36-character UUIDs): one allocation.
        var encoder = CanonicalEncoder(domain: domain, reservingCapacity: 512 + (input.verification.reason?.utf8.count ?? 0))
        encoder.append(sequence)
        encoder.append(previousHash)
        encoder.append(input.envelopeID)
        encoder.append(input.type)
        encoder.append(input.source)
        encoder.append(input.subject)
        encoder.append(input.correlationID)
        encoder.append(input.causationID)
        encoder.append(input.eventTimeMicros)
        encoder.append(input.signerKeyID)
        encoder.append(input.signerPrincipal)
        switch input.verification {
        case .verified:
            encoder.append(UInt8(0))
        case .rejected(let reason):
            encoder.append(UInt8(1))
            encoder.append(reason)
        }
        encoder.append(input.kafka.topic)
        encoder.append(input.kafka.partition)
        encoder.append(input.kafka.offset)
        encoder.append(input.kafka.timestampMillis)
        encoder.append(input.rawSHA256)
        encoder.append(recordedAtMicros)
        return encoder.bytes
    }

    /// The record hash of `input` stored at `sequence` after `previousHash` at `recordedAtMicros`.
    public static func hash(
        sequence: Int64, previousHash: [UInt8], recordedAtMicros: Int64, input: AuditRecordInput
    ) -> [UInt8] {
        SHA256Digest.hash(encoding(sequence: sequence, previousHash: previousHash, recordedAtMicros: recordedAtMicros, input: input))
    }

    /// Recomputes the hash of `record` from its content (what a verifier does); compare it
    /// with `record.recordHash`.
    public static func recompute(_ record: AuditRecord) -> [UInt8] {
        hash(sequence: record.sequence, previousHash: record.previousHash,
             recordedAtMicros: record.recordedAtMicros, input: record.input)
    }

    /// `record`'s content rehashed as if it were stored at `sequence` (used to tell a moved
    /// record from a modified one).
    static func recompute(_ record: AuditRecord, asSequence sequence: Int64) -> [UInt8] {
        hash(sequence: sequence, previousHash: record.previousHash,
             recordedAtMicros: record.recordedAtMicros, input: record.input)
    }
}
