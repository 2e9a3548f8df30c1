import MeshSigning

/// Recomputes a log from its raw rows and checks it against its own chain and its signed
/// checkpoints: every record hash, every chain link, contiguous sequences from 1, and each
/// checkpoint's signature, head hash and Merkle root. Names the first bad record.
///
/// A verifier only sees what the database holds. Truncating the tail *and* deleting the
/// checkpoints above it, or rewriting everything, is only detectable against a checkpoint kept
/// elsewhere: pass such copies as `anchors`.
public enum AuditVerifier {
    /// Verifies `store` with checkpoint keys from `trust`.
    /// - Parameters:
    ///   - anchors: checkpoints of this log kept outside the database; they are checked like
    ///     stored ones, so a log that lost records they cover fails.
    ///   - pageSize: rows read per query.
    public static func verify(
        _ store: AuditStore, trust: TrustStore, anchors: [AuditCheckpoint] = [], pageSize: Int = 2_000
    ) throws -> VerificationReport {
        let checkpoints = (try store.checkpoints() + anchors).sorted { $0.sequence < $1.sequence }
        var failures: [VerificationReport.Failure] = []

        // Signatures first: a checkpoint that does not verify proves nothing about records.
        var trusted: [AuditCheckpoint] = []
        for checkpoint in checkpoints {
            if let reason = signatureProblem(checkpoint, logID: store.logID, trust: trust) {
                failures.append(.init(sequence: checkpoint.sequence, problem: .checkpointForged,
                                      detail: "checkpoint at sequence \(checkpoint.sequence): \(reason)"))
            } else {
                trusted.append(checkpoint)
            }
        }

        let walk = try ChainWalk.run(store, checkpoints: trusted, pageSize: pageSize)
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
        failures.sort { ($0.sequence, $0.problem.rawValue) < ($1.sequence, $1.problem.rawValue) }
        let anchoredThrough = walk.lastGoodCheckpoint?.sequence ?? 0
        return VerificationReport(
            logID: store.logID, recordCount: walk.recordCount, checkpointCount: checkpoints.count, failures: failures,
            lastGoodCheckpoint: walk.lastGoodCheckpoint,
            unanchoredRecords: max(0, Int(walk.lastSequence - anchoredThrough)))
    }

    private static func signatureProblem(_ checkpoint: AuditCheckpoint, logID: String, trust: TrustStore) -> String? {
        guard checkpoint.logID == logID else {
            return "signed for log \(checkpoint.logID), not this log \(logID)"
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
