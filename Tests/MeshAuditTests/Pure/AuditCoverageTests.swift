import MeshAudit
import MeshAuditIngest
import XCTest

/// The pipeline bench's "every envelope audited once": topics' records against stored ones.
final class AuditCoverageTests: XCTestCase {
    func testEveryRecordStoredOnceIsComplete() {
        let coverage = AuditCoverage(published: ["a", "b", "c"], stored: ["c", "a", "b"])
        XCTAssertEqual(coverage, AuditCoverage(published: ["a", "b", "c"], stored: ["a", "b", "c"]))
        XCTAssertTrue(coverage.isComplete)
        XCTAssertEqual([coverage.published, coverage.stored], [3, 3])
    }

    func testAMissingRecordIsCounted() {
        let coverage = AuditCoverage(published: ["a", "b", "c"], stored: ["a", "c"])
        XCTAssertEqual(coverage.missing, 1)
        XCTAssertFalse(coverage.isComplete)
    }

    func testASecondCopyIsADuplicateEvenWhenTheCountsMatch() {
        // Same number of records on both sides: only the identities show "b" lost and "a" twice.
        let coverage = AuditCoverage(published: ["a", "b", "c"], stored: ["a", "a", "c"])
        XCTAssertEqual(coverage.duplicates, 1)
        XCTAssertEqual(coverage.missing, 1)
        XCTAssertFalse(coverage.isComplete)
    }

    func testAStoredRecordTheTopicsDoNotHoldIsUnexpected() {
        let coverage = AuditCoverage(published: ["a"], stored: ["a", "z"])
        XCTAssertEqual(coverage.unexpected, 1)
        XCTAssertFalse(coverage.isComplete)
    }

    func testRecordsWithoutAnEnvelopeIDAreIdentifiedByTheirKafkaCoordinates() {
        func input(_ id: String, offset: Int64) -> AuditRecordInput {
            AuditRecordInput(raw: [1, 2], envelopeID: id, type: "", source: "", subject: "", correlationID: "", causationID: "",
                             eventTimeMicros: 0, verification: id.isEmpty ? .rejected(reason: "not an envelope") : .verified,
                             kafka: KafkaCoordinates(topic: "mesh.results", partition: 2, offset: offset, timestampMillis: 0))
        }
        XCTAssertEqual(AuditCoverage.key(input("e-1", offset: 7)), "e-1")
        XCTAssertEqual(AuditCoverage.key(input("", offset: 7)), "mesh.results[2]@7")
        XCTAssertNotEqual(AuditCoverage.key(input("", offset: 7)), AuditCoverage.key(input("", offset: 8)))
    }
}
