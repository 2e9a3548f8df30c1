import Foundation
import XCTest
import MeshSigning
@testable import MeshAudit

/// Tampering an attacker with database access could do (triggers dropped, rows edited with
/// plain SQL), and what `AuditVerifier` must say about each. The log has 20 records with a
/// checkpoint every 5 records (at 5, 10, 15, 20).
struct TamperContract {
    let harness: StoreHarness

    private func populated() throws -> AuditStore {
        let store = try harness.open(Fixtures.configuration(everyRecords: 5))
        _ = try store.append(Fixtures.inputs(1..<8))
        _ = try store.append(Fixtures.inputs(8..<21))
        XCTAssertEqual(try store.checkpoints().map(\.sequence), [5, 10, 15, 20])
        try harness.dropTriggers()
        return store
    }

    private func expectFailure(
        _ store: AuditStore, sequence: Int64, _ problem: VerificationReport.Problem,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let report = try AuditVerifier.verify(store, trust: Fixtures.trust, pageSize: 6)
        XCTAssertFalse(report.isValid, "tampering went unnoticed", file: file, line: line)
        XCTAssertEqual(report.firstFailure?.sequence, sequence, report.summary, file: file, line: line)
        XCTAssertEqual(report.firstFailure?.problem, problem, report.summary, file: file, line: line)
    }

    func untamperedVerifiesClean() throws {
        let store = try populated()
        let report = try AuditVerifier.verify(store, trust: Fixtures.trust)
        XCTAssertTrue(report.isValid, report.summary)
        XCTAssertEqual(report.lastGoodCheckpoint?.sequence, 20)
    }

    func changedField() throws {
        let store = try populated()
        try harness.raw("UPDATE audit_records SET type = 'approval.granted' WHERE sequence = 7")
        try expectFailure(store, sequence: 7, .contentChanged)
    }

    func changedVerificationStatus() throws {
        let store = try populated()
        try harness.raw("UPDATE audit_records SET verification_status = 'rejected', rejection_reason = 'x' WHERE sequence = 4")
        try expectFailure(store, sequence: 4, .contentChanged)
    }

    func changedRawBytes() throws {
        let store = try populated()
        try harness.raw("UPDATE audit_records SET raw = \(harness.blob(Array("forged envelope".utf8))) WHERE sequence = 8")
        try expectFailure(store, sequence: 8, .contentChanged)
    }

    func changedAndRehashedRecord() throws {
        let store = try populated()
        var record = try XCTUnwrap(try store.record(sequence: 6))
        record.input.subject = "someone-else"
        record.recordHash = AuditRecordHasher.recompute(record)
        try harness.raw("""
            UPDATE audit_records SET subject = 'someone-else', record_hash = \(harness.blob(record.recordHash)) WHERE sequence = 6
            """)
        try expectFailure(store, sequence: 6, .contentChanged)
    }

    func deletedRow() throws {
        let store = try populated()
        try harness.raw("DELETE FROM audit_records WHERE sequence = 9")
        try expectFailure(store, sequence: 9, .recordMissing)
    }

    func deletedRowAndRenumbered() throws {
        let store = try populated()
        try harness.raw("""
            DELETE FROM audit_records WHERE sequence = 9;
            UPDATE audit_records SET sequence = -(sequence - 1) WHERE sequence > 9;
            UPDATE audit_records SET sequence = -sequence WHERE sequence < 0
            """)
        try expectFailure(store, sequence: 9, .recordMissing)
    }

    func reorderedRows() throws {
        let store = try populated()
        try harness.raw("""
            UPDATE audit_records SET sequence = -1 WHERE sequence = 11;
            UPDATE audit_records SET sequence = 11 WHERE sequence = 12;
            UPDATE audit_records SET sequence = 12 WHERE sequence = -1
            """)
        try expectFailure(store, sequence: 11, .recordsReordered)
    }

    func reorderedDistantRows() throws {
        let store = try populated()
        try harness.raw("""
            UPDATE audit_records SET sequence = -1 WHERE sequence = 3;
            UPDATE audit_records SET sequence = 3 WHERE sequence = 17;
            UPDATE audit_records SET sequence = 17 WHERE sequence = -1
            """)
        try expectFailure(store, sequence: 3, .recordsReordered)
    }

    /// The strongest insertion: later rows renumbered and the forged row correctly hashed and
    /// chained to its predecessor.
    func insertedForgedRow() throws {
        let store = try populated()
        let predecessor = try XCTUnwrap(try store.record(sequence: 12))
        let forgedInput = Fixtures.input(999, id: "forged", type: "approval.granted", source: "qa-lead")
        let forged = AuditRecord(
            sequence: 13, recordedAtMicros: predecessor.recordedAtMicros, previousHash: predecessor.recordHash,
            recordHash: AuditRecordHasher.hash(sequence: 13, previousHash: predecessor.recordHash,
                                               recordedAtMicros: predecessor.recordedAtMicros, input: forgedInput),
            input: forgedInput)
        try harness.raw("""
            UPDATE audit_records SET sequence = -(sequence + 1) WHERE sequence >= 13;
            UPDATE audit_records SET sequence = -sequence WHERE sequence < 0;
            \(insertSQL(forged, harness: harness))
            """)
        try expectFailure(store, sequence: 13, .recordInserted)
    }

    /// A careless insertion: the forged row's hash is garbage.
    func insertedGarbageRow() throws {
        let store = try populated()
        let forgedInput = Fixtures.input(998, id: "forged", type: "approval.granted")
        let forged = AuditRecord(sequence: 13, recordedAtMicros: 1, previousHash: [UInt8](repeating: 7, count: 32),
                                 recordHash: [UInt8](repeating: 9, count: 32), input: forgedInput)
        try harness.raw("""
            UPDATE audit_records SET sequence = -(sequence + 1) WHERE sequence >= 13;
            UPDATE audit_records SET sequence = -sequence WHERE sequence < 0;
            \(insertSQL(forged, harness: harness))
            """)
        try expectFailure(store, sequence: 13, .recordInserted)
    }

    func truncatedTailBelowCheckpoint() throws {
        let store = try populated()
        try harness.raw("DELETE FROM audit_records WHERE sequence > 17")
        try expectFailure(store, sequence: 18, .tailTruncated)
    }

    func truncatedTailAndCheckpointsNeedAnAnchor() throws {
        let store = try populated()
        let anchor = try XCTUnwrap(try store.checkpoints().last)
        try harness.raw("DELETE FROM audit_records WHERE sequence > 12; DELETE FROM audit_checkpoints WHERE sequence > 12")
        XCTAssertTrue(try AuditVerifier.verify(store, trust: Fixtures.trust).isValid,
                      "without an external copy of a checkpoint this is undetectable (documented limitation)")
        let report = try AuditVerifier.verify(store, trust: Fixtures.trust, anchors: [anchor])
        XCTAssertEqual(report.firstFailure?.sequence, 13, report.summary)
        XCTAssertEqual(report.firstFailure?.problem, .tailTruncated, report.summary)
    }

    func forgedCheckpointRoot() throws {
        let store = try populated()
        try harness.raw("UPDATE audit_checkpoints SET merkle_root = \(harness.blob([UInt8](repeating: 1, count: 32))) WHERE sequence = 10")
        try expectFailure(store, sequence: 10, .checkpointForged)
    }

    func forgedCheckpointWithUntrustedKey() throws {
        let store = try populated()
        let head = try XCTUnwrap(try store.record(sequence: 12))
        let fake = AuditCheckpoint.sign(logID: store.logID, sequence: 12, headHash: head.recordHash,
                                        merkleRoot: [UInt8](repeating: 2, count: 32), createdAtMicros: 5, signer: Fixtures.attacker)
        try harness.raw("""
            INSERT INTO audit_checkpoints (\(SQLiteSchema.checkpointColumns)) VALUES (12, \(harness.text(fake.logID)),
            \(harness.blob(fake.headHash)), \(harness.blob(fake.merkleRoot)), 5, \(harness.text(fake.signature.keyId)),
            'ed25519', \(harness.blob(fake.signature.bytes)))
            """)
        try expectFailure(store, sequence: 12, .checkpointForged)
    }

    /// Everything from record 8 on rewritten with recomputed hashes: the chain is consistent,
    /// only the signed checkpoint at 10 (and later) betrays it.
    func rewrittenSuffixCaughtByCheckpoint() throws {
        let store = try populated()
        var previous = try XCTUnwrap(try store.record(sequence: 7)).recordHash
        var statements: [String] = []
        for sequence in Int64(8)...20 {
            var record = try XCTUnwrap(try store.record(sequence: sequence))
            record.input.source = "rewriter"
            record.previousHash = previous
            record.recordHash = AuditRecordHasher.recompute(record)
            previous = record.recordHash
            statements.append("UPDATE audit_records SET source = 'rewriter', previous_hash = \(harness.blob(record.previousHash)), "
                + "record_hash = \(harness.blob(record.recordHash)) WHERE sequence = \(sequence)")
        }
        try harness.raw(statements.joined(separator: ";\n"))
        try expectFailure(store, sequence: 10, .checkpointMismatch)
    }
}
