/// Works out what happened at the first record that fails verification, from the evidence
/// the rows carry: every record stores the hash it chains to and a hash that covers its own
/// sequence, so a moved record still verifies under its original sequence, and the hash it
/// links to points at its original predecessor wherever that now sits.
struct TamperClassifier {
    let store: AuditStore

    typealias Failure = VerificationReport.Failure

    func classify(_ record: AuditRecord, expected: Int64, previous: AuditRecord?) throws -> Failure {
        let e = expected
        if record.sequence > e {
            let last = record.sequence - 1
            return Failure(sequence: e, problem: .recordMissing,
                           detail: last == e ? "record \(e) is missing (deleted)" : "records \(e)…\(last) are missing (deleted)")
        }
        if record.sequence < e {
            return Failure(sequence: record.sequence, problem: .recordInserted,
                           detail: "a second row claims sequence \(record.sequence)")
        }

        let linkTarget = previous?.recordHash ?? AuditRecordHasher.genesisHash
        let selfConsistent = AuditRecordHasher.recompute(record) == record.recordHash
        let linked = record.previousHash == linkTarget
        let positions = try storedPositions()
        // Where the record this one was chained to is stored now (0 = genesis).
        let predecessor: Int64? = record.previousHash == AuditRecordHasher.genesisHash ? 0 : positions[record.previousHash]

        if selfConsistent {
            // The record is where it was written, but the one before it is not the one it chained to.
            guard e > 1 else {
                return Failure(sequence: 1, problem: .contentChanged,
                               detail: "record 1 does not chain to the genesis hash: it was replaced and re-hashed")
            }
            switch predecessor {
            case .some(let p) where p < e - 1:
                return Failure(sequence: p + 1, problem: .recordInserted,
                               detail: "record \(e) chains to record \(p); the record(s) stored at \(p + 1)…\(e - 1) were inserted")
            case .some(let p):
                return Failure(sequence: e - 1, problem: .recordsReordered,
                               detail: "record \(e) chains to the record now stored at sequence \(p), not to record \(e - 1)")
            case .none:
                return Failure(sequence: e - 1, problem: .contentChanged,
                               detail: "record \(e - 1) was altered and re-hashed: its hash no longer matches the link stored in record \(e)")
            }
        }

        if let original = originalSequence(of: record, expected: e, predecessor: predecessor) {
            if original > e {
                if predecessor == nil {
                    return Failure(sequence: e, problem: .recordMissing,
                                   detail: "the record stored at \(e) was written as sequence \(original) and the record it chained to "
                                       + "is gone: record(s) were deleted and later ones renumbered")
                }
                return Failure(sequence: e, problem: .recordsReordered,
                               detail: "the record stored at sequence \(e) was written as sequence \(original)")
            }
            return Failure(sequence: original, problem: .recordInserted,
                           detail: "the record stored at sequence \(e) was written as sequence \(original): "
                               + "record(s) were inserted from sequence \(original) on")
        }

        if try nextRecordShowsInsertion(at: e, linkTarget: linkTarget) {
            return Failure(sequence: e, problem: .recordInserted,
                           detail: "record \(e) is not part of the chain: the record after it was written as sequence \(e)")
        }
        let what = linked ? "its fields or raw bytes no longer match its record hash"
                          : "its fields, raw bytes or chain link no longer match its record hash"
        return Failure(sequence: e, problem: .contentChanged, detail: "record \(e) was changed: \(what)")
    }

    /// The sequence `record` was hashed under, if it is a neighbour or follows its predecessor.
    private func originalSequence(of record: AuditRecord, expected e: Int64, predecessor: Int64?) -> Int64? {
        var candidates: [Int64] = []
        if let p = predecessor { candidates.append(p + 1) }
        candidates += [e + 1, e - 1]
        for candidate in candidates where candidate > 0 && candidate != e {
            if AuditRecordHasher.recompute(record, asSequence: candidate) == record.recordHash { return candidate }
        }
        return nil
    }

    /// True when the record after `e` verifies as sequence `e` chained to the record before
    /// `e`: then the row at `e` was slipped in (and the later rows renumbered).
    private func nextRecordShowsInsertion(at e: Int64, linkTarget: [UInt8]) throws -> Bool {
        guard let next = try store.record(sequence: e + 1) else { return false }
        return next.previousHash == linkTarget
            && AuditRecordHasher.recompute(next, asSequence: e) == next.recordHash
    }

    /// Stored record hash → stored sequence, for every row (built only when something is wrong).
    private func storedPositions() throws -> [[UInt8]: Int64] {
        var positions: [[UInt8]: Int64] = [:]
        try store.scan(afterSequence: 0, pageSize: 5_000) { page in
            for record in page where positions[record.recordHash] == nil { positions[record.recordHash] = record.sequence }
            return true
        }
        return positions
    }
}
