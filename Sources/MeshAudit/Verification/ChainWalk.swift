/// One pass over the stored rows in sequence order: recomputes hashes and links, feeds the
/// Merkle accumulator, and checks trusted checkpoints as their sequence is reached. Stops at
/// the first bad record and asks `TamperClassifier` what happened there.
struct ChainWalk {
    var failures: [VerificationReport.Failure] = []
    var recordFailure: VerificationReport.Failure?
    var recordCount = 0
    var lastSequence: Int64 = 0
    var lastGoodCheckpoint: AuditCheckpoint?

    static func run(_ store: AuditStore, checkpoints: [AuditCheckpoint], pageSize: Int) throws -> ChainWalk {
        var walk = ChainWalk()
        var merkle = MerkleAccumulator()
        var previous: AuditRecord?
        var pending = checkpoints[...]

        try store.scan(afterSequence: 0, pageSize: pageSize) { page in
            for record in page {
                walk.recordCount += 1
                let expected = (previous?.sequence ?? 0) + 1
                let linkTarget = previous?.recordHash ?? AuditRecordHasher.genesisHash
                let intact = record.sequence == expected
                    && AuditRecordHasher.recompute(record) == record.recordHash
                    && record.previousHash == linkTarget
                guard intact else {
                    let failure = try TamperClassifier(store: store).classify(record, expected: expected, previous: previous)
                    walk.recordFailure = failure
                    walk.failures.append(failure)
                    return false
                }
                merkle.append(leafData: record.recordHash)
                walk.lastSequence = record.sequence
                previous = record
                while let checkpoint = pending.first, checkpoint.sequence <= record.sequence {
                    pending.removeFirst()
                    if checkpoint.sequence < record.sequence { continue }  // unreachable: sequences are contiguous here
                    if let problem = mismatch(checkpoint, head: record, root: merkle.root) {
                        walk.failures.append(.init(sequence: checkpoint.sequence, problem: .checkpointMismatch, detail: problem))
                    } else {
                        walk.lastGoodCheckpoint = checkpoint
                    }
                }
            }
            return true
        }
        return walk
    }

    private static func mismatch(_ checkpoint: AuditCheckpoint, head: AuditRecord, root: [UInt8]) -> String? {
        if checkpoint.headHash != head.recordHash {
            return "the signed checkpoint at sequence \(checkpoint.sequence) names head hash "
                + "\(Hex.encode(checkpoint.headHash)) but the stored record has \(Hex.encode(head.recordHash)): "
                + "records up to it were rewritten with recomputed hashes"
        }
        if checkpoint.merkleRoot != root {
            return "the signed checkpoint at sequence \(checkpoint.sequence) names Merkle root "
                + "\(Hex.encode(checkpoint.merkleRoot)) but the stored records give \(Hex.encode(root)): "
                + "records up to it were rewritten"
        }
        return nil
    }
}

import MeshSigning
