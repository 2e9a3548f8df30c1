/// The result of `AuditVerifier.verify`: clean, or the problems found, first one first.
public struct VerificationReport: Sendable, Hashable {
    /// What is wrong at a sequence.
    public enum Problem: String, Sendable, Hashable, Codable {
        /// A record's fields or raw bytes no longer match its hash, or a record was replaced
        /// and re-hashed so the next record's link no longer matches.
        case contentChanged = "content-changed"
        /// Sequences are missing (rows deleted), possibly with later rows renumbered.
        case recordMissing = "record-missing"
        /// A record sits at a different sequence than the one it was written at.
        case recordsReordered = "records-reordered"
        /// A record that was never appended by the store sits in the chain.
        case recordInserted = "record-inserted"
        /// Records a checkpoint covers are gone from the end of the log.
        case tailTruncated = "tail-truncated"
        /// A checkpoint's signature does not verify (forged, altered, unknown or revoked key,
        /// or signed for another log).
        case checkpointForged = "checkpoint-forged"
        /// A validly signed checkpoint disagrees with the stored records: the records up to it
        /// were rewritten consistently (hashes recomputed).
        case checkpointMismatch = "checkpoint-mismatch"
        /// A checkpoint kept outside the database (an anchor) is not in the database: it was
        /// deleted, or the database holds a different history.
        case checkpointMissing = "checkpoint-missing"
        /// Anchored checkpoints belong to another log: the database was replaced by another
        /// store.
        case logReplaced = "log-replaced"
        /// A stored envelope's own signatures no longer verify against the trust store, or the
        /// fields and verification status stored beside it are not what its bytes say.
        case envelopeMismatch = "envelope-mismatch"
        /// The database's own structures disagree: an index does not match its table, so
        /// readers that go through it (trace, search, replay) would see other data than
        /// verify.
        case storageInconsistent = "storage-inconsistent"
        /// The stored tree does not extend an anchored tree head: its RFC 6962 consistency
        /// proof fails.
        case anchorInconsistent = "anchor-inconsistent"
    }

    /// One problem.
    public struct Failure: Sendable, Hashable {
        /// The first sequence affected.
        public var sequence: Int64
        /// What kind of problem.
        public var problem: Problem
        /// A sentence for the auditor.
        public var detail: String

        /// A failure entry.
        public init(sequence: Int64, problem: Problem, detail: String) {
            self.sequence = sequence
            self.problem = problem
            self.detail = detail
        }
    }

    /// The log verified.
    public var logID: String
    /// Records read.
    public var recordCount: Int
    /// Checkpoints read (stored plus external anchors).
    public var checkpointCount: Int
    /// Problems found, ordered by sequence. The record walk stops at the first bad record, so
    /// later records are not reported individually.
    public var failures: [Failure]
    /// The newest checkpoint that verified and matches the records.
    public var lastGoodCheckpoint: AuditCheckpoint?
    /// Records after `lastGoodCheckpoint` (covered by the chain but not yet by a signature).
    public var unanchoredRecords: Int
    /// Checkpoints that came from an anchor outside the database (0: none was given, so a
    /// rewrite of the whole database together with its checkpoints cannot be detected).
    public var anchoredCheckpointCount = 0
    /// Stored envelopes whose signatures were checked again (0 when no envelope check ran).
    public var envelopesChecked = 0
    /// Later copies of an already stored envelope id, stored flagged (`LaterCopies`):
    /// superseded ones (same signer, type and cause, other bytes) and conflicting ones.
    public var supersededCopies = 0
    public var conflictingCopies = 0
    /// Records flagged unauthorized by the catalog check (their envelope verified).
    public var unauthorizedRecords = 0
    /// Anchored tree heads proven, by an RFC 6962 consistency proof, to be extended by
    /// `currentTree` (each distinct anchored head once).
    public var anchorsProvenConsistent = 0
    /// Size and root of the tree over the records that verified, when anchors were given:
    /// the head the consistency proofs lead to.
    public var currentTree: MerkleTreeHead?

    /// True when nothing is wrong.
    public var isValid: Bool { failures.isEmpty }
    /// The first problem by sequence: the first bad record.
    public var firstFailure: Failure? { failures.first }

    /// One line for logs and export headers.
    public var summary: String {
        if let first = firstFailure {
            return "INVALID: \(first.problem.rawValue) at sequence \(first.sequence): \(first.detail)"
        }
        return "valid: \(recordCount) record(s), \(checkpointCount) checkpoint(s), "
            + "\(unanchoredRecords) record(s) after the last checkpoint"
    }
}
