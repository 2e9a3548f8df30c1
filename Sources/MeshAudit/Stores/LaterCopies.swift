/// What the store already holds under an envelope id: enough to tell a redelivery or an
/// identical copy (skipped as a duplicate) from a later copy with other bytes (stored,
/// flagged).
struct StoredCopy: Sendable {
    /// Where the first copy is stored; nil for a copy earlier in the same batch.
    var sequence: Int64?
    var rawSHA256: [UInt8]
    var signerPrincipal: String?
    var type: String
    var causationID: String
    var kafka: CoordinateKey
}

/// A later copy of an envelope id the store already holds is recorded instead of skipped
/// (when `AuditStoreConfiguration.recordsLaterCopies` is on):
/// - the same Kafka record again (a redelivery) or the same bytes → a duplicate, skipped;
/// - other bytes from the same signer, of the same type, with the same causation, on the
///   same topic → stored flagged `superseded` (a role re-emitting its output, e.g. after a
///   restart);
/// - other bytes with another signer, type or topic → stored flagged `conflict` (something
///   claims an id that belongs to another message).
/// A flagged copy is stored like a rejected record: its claimed envelope id goes into the
/// reason, so the first copy keeps the id (the idempotency key) and readers see both.
public enum LaterCopies {
    /// Reason prefix of a later copy flagged superseded.
    public static let supersededPrefix = "superseded: "
    /// Reason prefix of a later copy flagged conflict.
    public static let conflictPrefix = "conflict: "

    /// True for the verification status of a flagged later copy (its envelope verified; it
    /// is flagged for what it repeats, not for its signature).
    public static func isFlagged(_ status: AuditVerificationStatus) -> Bool {
        guard let reason = status.reason else { return false }
        return reason.hasPrefix(supersededPrefix) || reason.hasPrefix(conflictPrefix)
    }

    /// Flags the later copies in `batch` against `stored` (by envelope id) and against the
    /// first copies earlier in the batch.
    static func flag(_ batch: inout [AuditRecordInput], stored: [String: StoredCopy]) {
        var firsts = stored
        for index in batch.indices where batch[index].verification.isVerified && !batch[index].envelopeID.isEmpty {
            let input = batch[index]
            guard let first = firsts[input.envelopeID] else {
                firsts[input.envelopeID] = StoredCopy(
                    sequence: nil, rawSHA256: input.rawSHA256, signerPrincipal: input.signerPrincipal, type: input.type,
                    causationID: input.causationID, kafka: CoordinateKey(input.kafka))
                continue
            }
            if first.kafka == CoordinateKey(input.kafka) || first.rawSHA256 == input.rawSHA256 { continue }
            let where_ = first.sequence.map { "first stored at sequence \($0)" } ?? "first copy earlier in the same batch"
            let same = first.signerPrincipal == input.signerPrincipal && first.type == input.type
                && first.causationID == input.causationID && first.kafka.topic == input.kafka.topic
            let reason = same
                ? supersededPrefix + "a later copy of envelope \(input.envelopeID) (\(where_)) with other bytes, "
                    + "from the same signer, of the same type and cause"
                : conflictPrefix + "envelope id \(input.envelopeID) (\(where_)) claimed by another message: "
                    + difference(first, input)
            var flagged = input
            flagged.envelopeID = ""
            flagged.verification = .rejected(reason: reason)
            batch[index] = flagged
        }
    }

    private static func difference(_ first: StoredCopy, _ later: AuditRecordInput) -> String {
        var parts: [String] = []
        if first.signerPrincipal != later.signerPrincipal {
            parts.append("signer \(later.signerPrincipal ?? "-") (first \(first.signerPrincipal ?? "-"))")
        }
        if first.type != later.type { parts.append("type \(later.type) (first \(first.type))") }
        if first.kafka.topic != later.kafka.topic { parts.append("topic \(later.kafka.topic) (first \(first.kafka.topic))") }
        if first.causationID != later.causationID { parts.append("cause \(later.causationID) (first \(first.causationID))") }
        return parts.joined(separator: ", ")
    }
}
