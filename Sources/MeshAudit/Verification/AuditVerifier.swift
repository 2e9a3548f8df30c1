import MeshSigning

/// Recomputes a log from its raw rows and checks it against its own chain, its signed
/// checkpoints and the checkpoints anchored outside the database: every record hash, every
/// chain link, contiguous sequences from 1, each checkpoint's signature, head hash and Merkle
/// root, the database's own index consistency and, with an `StoredEnvelopeCheck`, every stored
/// envelope's signatures. Names the first bad record (or checkpoint).
///
/// What the database alone cannot show: a rewrite of the whole log, or a truncated tail
/// together with the checkpoints above it. Checkpoints are signed by the audit sink's Ed25519
/// key alone (`trust` must hold only its pinned public keys, `KeyRingStore.loadCheckpointTrust`),
/// so an attacker with the database cannot sign new ones; pass the copies kept elsewhere as
/// `anchors` and every one of them must be reproduced by the stored records (RFC 6962: the
/// tree head over the first `size` records must equal the anchored root) and be present in
/// the database. Each anchored head is also proven, by an RFC 6962 consistency proof checked
/// with the two roots alone, to be extended by the tree over every record that verified.
public enum AuditVerifier {
    /// Verifies `store`.
    /// - Parameters:
    ///   - trust: the keys whose checkpoint signatures count (the audit sink's pinned keys).
    ///   - anchors: checkpoints of this log kept outside the database (anchor file, WORM
    ///     directory, checkpoint topic).
    ///   - envelopes: re-checks each stored envelope; nil skips that check.
    ///   - pageSize: rows read per query.
    public static func verify(
        _ store: AuditStore, trust: TrustStore, anchors: [AuditCheckpoint] = [], envelopes: StoredEnvelopeCheck? = nil,
        pageSize: Int = 2_000
    ) throws -> VerificationReport {
        let stored = try store.checkpoints()
        var failures: [VerificationReport.Failure] = []

        // The database's own structures first: if an index disagrees with its table, readers
        // see other rows than the scan below.
        for problem in try store.storageProblems() {
            failures.append(.init(sequence: problem.sequence ?? 0, problem: .storageInconsistent, detail: problem.detail))
        }

        // An anchored checkpoint must also be in the database: the sink stores a checkpoint
        // before it anchors it, so one missing was deleted (or the history is another one).
        var anchorsForThisLog: [AuditCheckpoint] = []
        for anchor in anchors {
            guard anchor.logID == store.logID else {
                failures.append(.init(
                    sequence: anchor.sequence, problem: .logReplaced,
                    detail: "the anchored checkpoint at sequence \(anchor.sequence) is for log \(anchor.logID), but this database "
                        + "holds log \(store.logID): the database was replaced by another store (or the anchor is another log's)"))
                continue
            }
            anchorsForThisLog.append(anchor)
            if !stored.contains(anchor) {
                failures.append(.init(
                    sequence: anchor.sequence, problem: .checkpointMissing,
                    detail: "the anchored checkpoint at sequence \(anchor.sequence) (root \(Hex.encode(anchor.merkleRoot).prefix(16))…) "
                        + "is not in the database: checkpoints were deleted or the history was rewritten"))
            }
        }

        // Signatures next: a checkpoint that does not verify proves nothing about records.
        var checkpoints: [AuditCheckpoint] = []
        for checkpoint in stored + anchorsForThisLog where !checkpoints.contains(checkpoint) { checkpoints.append(checkpoint) }
        checkpoints.sort { $0.sequence < $1.sequence }
        var trusted: [AuditCheckpoint] = []
        for checkpoint in checkpoints {
            if let reason = signatureProblem(checkpoint, logID: store.logID, trust: trust) {
                failures.append(.init(sequence: checkpoint.sequence, problem: .checkpointForged,
                                      detail: "checkpoint at sequence \(checkpoint.sequence): \(reason)"))
            } else {
                trusted.append(checkpoint)
            }
        }

        let walk = try ChainWalk.run(store, checkpoints: trusted, envelopes: envelopes, pageSize: pageSize,
                                     keepsTree: !anchorsForThisLog.isEmpty)
        failures += walk.failures
        if walk.recordFailure == nil {
            for checkpoint in trusted where checkpoint.sequence > walk.lastSequence {
                failures.append(.init(
                    sequence: walk.lastSequence + 1, problem: .tailTruncated,
                    detail: "a signed checkpoint covers \(checkpoint.sequence) record(s) but the log ends at "
                        + "sequence \(walk.lastSequence): records \(walk.lastSequence + 1)…\(checkpoint.sequence) are gone"))
                break
            }
        }
        // Besides recomputing each anchored head in the walk above, prove it: an RFC 6962
        // consistency proof from the head to the tree over every record that verified, checked
        // with the two roots alone, as a party holding only signed heads would check it.
        var proven = 0
        if let tree = walk.tree {
            let trustedAnchors = Set(anchorsForThisLog.filter { trusted.contains($0) && Int($0.sequence) <= tree.size })
            for anchor in trustedAnchors.sorted(by: { $0.sequence < $1.sequence }) {
                if let problem = AnchoredHeadProof(anchor: anchor, tree: tree).problem {
                    failures.append(.init(sequence: anchor.sequence, problem: .anchorInconsistent, detail: problem))
                } else {
                    proven += 1
                }
            }
        }
        failures.sort { ($0.sequence, $0.problem.rawValue) < ($1.sequence, $1.problem.rawValue) }
        let anchoredThrough = walk.lastGoodCheckpoint?.sequence ?? 0
        var report = VerificationReport(
            logID: store.logID, recordCount: walk.recordCount, checkpointCount: checkpoints.count, failures: failures,
            lastGoodCheckpoint: walk.lastGoodCheckpoint,
            unanchoredRecords: max(0, Int(walk.lastSequence - anchoredThrough)))
        report.anchoredCheckpointCount = anchors.count
        report.envelopesChecked = walk.envelopesChecked
        report.supersededCopies = walk.supersededCopies
        report.conflictingCopies = walk.conflictingCopies
        report.unauthorizedRecords = walk.unauthorizedRecords
        report.anchorsProvenConsistent = proven
        report.currentTree = walk.tree?.head
        return report
    }

    private static func signatureProblem(_ checkpoint: AuditCheckpoint, logID: String, trust: TrustStore) -> String? {
        guard checkpoint.logID == logID else {
            return "signed for log \(checkpoint.logID), not this log \(logID)"
        }
        guard trust.key(id: checkpoint.signature.keyId) != nil else {
            return "signed by key \(checkpoint.signature.keyId), which is not a pinned audit checkpoint key: "
                + "only the audit sink's Ed25519 key may sign checkpoints, so this one is forged"
        }
        do {
            try checkpoint.verifySignature(trust: trust)
            return nil
        } catch let error as SigningError {
            return "signature does not verify (\(error.description))"
        } catch {
            return "signature does not verify (\(error))"
        }
    }
}
