import Foundation

/// One pass over the stored rows in sequence order: recomputes hashes and links, feeds the
/// Merkle accumulator, and checks trusted checkpoints as their sequence is reached. Stops at
/// the first bad record and asks `TamperClassifier` what happened there.
struct ChainWalk {
    var failures: [VerificationReport.Failure] = []
    var recordFailure: VerificationReport.Failure?
    var recordCount = 0
    var lastSequence: Int64 = 0
    var lastGoodCheckpoint: AuditCheckpoint?
    var envelopesChecked = 0
    var supersededCopies = 0
    var conflictingCopies = 0
    var unauthorizedRecords = 0
    /// Every node of the tree over the records that verified, when asked for (anchors given).
    var tree: MerkleTreeNodes?

    /// Envelope problems reported individually; past this many, the rest are counted in one line.
    static let envelopeFailureLimit = 100

    static func run(
        _ store: AuditStore, checkpoints: [AuditCheckpoint], envelopes: StoredEnvelopeCheck?, pageSize: Int, keepsTree: Bool = false
    ) throws -> ChainWalk {
        var walk = ChainWalk()
        if keepsTree { walk.tree = MerkleTreeNodes() }
        var merkle = MerkleAccumulator()
        var previous: AuditRecord?
        var pending = checkpoints[...]
        var envelopeFailures = 0

        try store.scan(afterSequence: 0, pageSize: pageSize) { page in
            // Envelope checks are independent of each other and cost ~130 µs each with
            // Ed25519: a page is checked on every core, then walked in order.
            let envelopeProblems = envelopes.map { check in EnvelopeProblems.find(in: page, with: check) }
            for (position, record) in page.enumerated() {
                walk.recordCount += 1
                let expected = (previous?.sequence ?? 0) + 1
                // Read exactly what was hashed, or the hash check below would be about other data.
                if let problem = record.storageProblem, record.sequence == expected {
                    let failure = VerificationReport.Failure(
                        sequence: record.sequence, problem: .contentChanged,
                        detail: "record \(record.sequence) was changed in the database: \(problem)")
                    walk.recordFailure = failure
                    walk.failures.append(failure)
                    return false
                }
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
                if let envelopeProblems {
                    walk.envelopesChecked += 1
                    if let problem = envelopeProblems[position] {
                        envelopeFailures += 1
                        if envelopeFailures <= envelopeFailureLimit {
                            walk.failures.append(.init(sequence: record.sequence, problem: .envelopeMismatch,
                                                       detail: "record \(record.sequence) (\(describe(record))): \(problem)"))
                        }
                    }
                }
                if let reason = record.input.verification.reason {
                    if reason.hasPrefix(LaterCopies.supersededPrefix) { walk.supersededCopies += 1 }
                    if reason.hasPrefix(LaterCopies.conflictPrefix) { walk.conflictingCopies += 1 }
                    if reason.hasPrefix(AuditVerificationStatus.unauthorizedReasonPrefix) { walk.unauthorizedRecords += 1 }
                }
                merkle.append(leafData: record.recordHash)
                walk.tree?.append(leafData: record.recordHash)
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
        if envelopeFailures > envelopeFailureLimit {
            walk.failures.append(.init(sequence: walk.lastSequence, problem: .envelopeMismatch,
                                       detail: "\(envelopeFailures - envelopeFailureLimit) more record(s) whose envelope check failed"))
        }
        return walk
    }

    /// Envelope id, type and source of a record, for naming it.
    static func describe(_ record: AuditRecord) -> String {
        let input = record.input
        return "envelope \(input.envelopeID.isEmpty ? "-" : input.envelopeID), \(input.type.isEmpty ? "no type" : input.type) "
            + "from \(input.source.isEmpty ? "?" : input.source)"
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

/// The envelope check of every record of a page, run on all cores.
private final class EnvelopeProblems: @unchecked Sendable {
    private let lock = NSLock()
    private var problems: [String?]

    private init(count: Int) { problems = Array(repeating: nil, count: count) }

    static func find(in page: [AuditRecord], with check: StoredEnvelopeCheck) -> [String?] {
        let found = EnvelopeProblems(count: page.count)
        DispatchQueue.concurrentPerform(iterations: page.count) { index in
            let problem = check.problem(with: page[index])
            found.lock.withLock { found.problems[index] = problem }
        }
        return found.problems
    }
}
