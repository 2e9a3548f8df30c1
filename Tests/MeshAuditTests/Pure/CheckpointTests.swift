import XCTest
import MeshSigning
@testable import MeshAudit

final class CheckpointTests: XCTestCase {
    private func sample() -> AuditCheckpoint {
        AuditCheckpoint.sign(logID: "log-1", sequence: 42, headHash: [UInt8](repeating: 1, count: 32),
                             merkleRoot: [UInt8](repeating: 2, count: 32), createdAtMicros: 1_760_000_000_000_000,
                             signer: Fixtures.signer)
    }

    func testSignatureVerifiesWithTrustedKey() throws {
        let signer = try sample().verifySignature(trust: Fixtures.trust)
        XCTAssertEqual(signer.keyId, Fixtures.signer.metadata.keyId)
    }

    func testEveryFieldIsCoveredBySignature() {
        let original = sample()
        var changes: [AuditCheckpoint] = []
        func vary(_ change: (inout AuditCheckpoint) -> Void) {
            var copy = original
            change(&copy)
            changes.append(copy)
        }
        vary { $0.logID = "log-2" }
        vary { $0.sequence = 43 }
        vary { $0.headHash[0] ^= 1 }
        vary { $0.merkleRoot[31] ^= 1 }
        vary { $0.createdAtMicros += 1 }
        vary { $0.signature.bytes[0] ^= 1 }
        for (index, changed) in changes.enumerated() {
            XCTAssertThrowsError(try changed.verifySignature(trust: Fixtures.trust), "change \(index)")
        }
    }

    func testEncodingStartsWithDomainTag() {
        let bytes = sample().signedBytes
        XCTAssertEqual(Array(bytes.prefix(30)), Array("agentmesh-audit-checkpoint-v1\0".utf8))
    }

    func testUntrustedSignerIsRejected() {
        let forged = AuditCheckpoint.sign(logID: "log-1", sequence: 42, headHash: [], merkleRoot: [], createdAtMicros: 0,
                                          signer: Fixtures.attacker)
        XCTAssertThrowsError(try forged.verifySignature(trust: Fixtures.trust))
    }

    func testTraceBreaksCausationCycles() {
        func record(_ sequence: Int64, _ id: String, _ cause: String) -> AuditRecord {
            AuditRecord(sequence: sequence, recordedAtMicros: 0, previousHash: [], recordHash: [],
                        input: Fixtures.input(Int(sequence), id: id, causation: cause))
        }
        let trace = AuditTrace(correlationID: "c", records: [record(2, "b", "a"), record(1, "a", "b"), record(3, "c", "")])
        XCTAssertEqual(trace.records.map(\.sequence), [1, 2, 3])
        XCTAssertEqual(trace.roots.map(\.record.sequence), [1, 3])
        XCTAssertEqual(trace.roots[0].children.map(\.record.sequence), [2])
    }
}
