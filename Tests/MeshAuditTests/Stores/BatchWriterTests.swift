import MeshAuditIngest
import MeshTestSupport
import XCTest
@testable import MeshAudit

/// `AuditBatchWriter` against real stores whose database refuses some records, the way a
/// constraint or trigger added by a DBA (or a size limit) would: good records are stored in
/// order, a refused one is stored flagged, one refused even flagged is handed back for
/// dead-lettering; nothing is dropped and the chain still verifies.
struct BatchWriterContract {
    let harness: StoreHarness
    /// SQL creating a trigger that refuses rows whose `column` equals `value` (a SQL literal).
    let refuseRows: (_ name: String, _ column: String, _ value: String) -> String

    func refusedRecordIsStoredFlaggedAndTheRestInOrder() throws {
        let store = try harness.open(Fixtures.configuration(everyRecords: 4))
        try harness.raw(refuseRows("refuse_poison", "subject", "'poison'"))
        var inputs = Fixtures.inputs(1..<12)
        inputs[4].subject = "poison"
        let result = try AuditBatchWriter(maxAttempts: 3).write(inputs, to: store)

        XCTAssertEqual(result.stored, 11, "\(harness.name): every record is in the store")
        XCTAssertEqual(result.storedNow, Array(repeating: true, count: 11))
        XCTAssertEqual(result.flagged.map(\.index), [4])
        XCTAssertTrue(result.unstorable.isEmpty)
        XCTAssertGreaterThanOrEqual(result.refusedAttempts, 3, "the refused record was tried at least 3 times")
        let stored = try store.search(.all)
        XCTAssertEqual(stored.map(\.sequence), Array(1...11), "contiguous sequences")
        XCTAssertEqual(stored.map(\.input.kafka.offset), inputs.map(\.kafka.offset), "Kafka order kept")
        let flagged = stored[4].input
        XCTAssertEqual(flagged.raw, inputs[4].raw, "the exact bytes are kept")
        XCTAssertEqual(flagged.kafka, inputs[4].kafka)
        XCTAssertEqual(flagged.envelopeID, "")
        XCTAssertEqual(flagged.subject, "")
        let reason = try XCTUnwrap(flagged.verification.reason)
        XCTAssertTrue(reason.hasPrefix("store-refused:"), reason)
        XCTAssertTrue(reason.contains("claimed envelope id env-5"), reason)
        XCTAssertEqual(stored.filter { $0.sequence != 5 }.map(\.input), inputs.enumerated().filter { $0.offset != 4 }.map(\.element))
        XCTAssertTrue(try AuditVerifier.verify(store, trust: Fixtures.trust).isValid)

        // A redelivery of the same batch stores nothing twice (the flagged stand-in is found by coordinates).
        let again = try AuditBatchWriter(maxAttempts: 3).write(inputs, to: store)
        XCTAssertEqual(again.stored, 0)
        XCTAssertEqual(try store.count, 11)
    }

    func recordRefusedEvenFlaggedIsHandedBackForDeadLettering() throws {
        let store = try harness.open(Fixtures.configuration(everyRecords: nil))
        var inputs = Fixtures.inputs(1..<6)
        inputs[2].raw = Array("deadly".utf8)
        try harness.raw(refuseRows("refuse_deadly", "raw", harness.blob(inputs[2].raw)))
        let result = try AuditBatchWriter(maxAttempts: 2).write(inputs, to: store)

        XCTAssertEqual(result.stored, 4)
        XCTAssertEqual(result.storedNow, [true, true, false, true, true])
        XCTAssertTrue(result.flagged.isEmpty)
        XCTAssertEqual(result.unstorable.map(\.index), [2])
        XCTAssertTrue(result.unstorable[0].reason.contains("refused it flagged too"), result.unstorable[0].reason)
        XCTAssertEqual(try store.search(.all).map(\.input.envelopeID), ["env-1", "env-2", "env-4", "env-5"])
        XCTAssertTrue(try AuditVerifier.verify(store, trust: Fixtures.trust).isValid)
    }
}

final class SQLiteBatchWriterTests: XCTestCase {
    private var harness: SQLiteHarness!
    private var contract: BatchWriterContract {
        BatchWriterContract(harness: harness) { name, column, value in
            "CREATE TRIGGER \(name) BEFORE INSERT ON audit_records WHEN NEW.\(column) = \(value) "
                + "BEGIN SELECT RAISE(ABORT, 'refused by a test constraint'); END"
        }
    }

    override func setUp() { harness = SQLiteHarness() }
    override func tearDown() { harness.destroy() }

    func testRefusedRecordIsStoredFlaggedAndTheRestInOrder() throws { try contract.refusedRecordIsStoredFlaggedAndTheRestInOrder() }
    func testRecordRefusedEvenFlaggedIsHandedBackForDeadLettering() throws { try contract.recordRefusedEvenFlaggedIsHandedBackForDeadLettering() }
}

final class PostgresBatchWriterTests: XCTestCase {
    private var harness: PostgresHarness!
    private var contract: BatchWriterContract {
        BatchWriterContract(harness: harness) { name, column, value in
            // A CHECK constraint (SQLSTATE 23514), as a DBA would add one.
            "ALTER TABLE audit_records ADD CONSTRAINT \(name) CHECK (\(column) IS DISTINCT FROM \(value))"
        }
    }

    override func setUpWithError() throws { harness = PostgresHarness(url: try PostgresTestEnvironment.url()) }
    override func tearDown() { harness?.destroy() }

    func testRefusedRecordIsStoredFlaggedAndTheRestInOrder() throws { try contract.refusedRecordIsStoredFlaggedAndTheRestInOrder() }
    func testRecordRefusedEvenFlaggedIsHandedBackForDeadLettering() throws { try contract.recordRefusedEvenFlaggedIsHandedBackForDeadLettering() }
}

/// Which store errors are worth retrying and which mean the records are refused.
final class StoreFailureKindTests: XCTestCase {
    func testClassification() {
        XCTAssertEqual(AuditStoreError.sqlite(code: 5, message: "database is locked", context: "x").failureKind, .transient)
        XCTAssertEqual(AuditStoreError.sqlite(code: 10, message: "disk I/O error", context: "x").failureKind, .transient)
        XCTAssertEqual(AuditStoreError.sqlite(code: 13, message: "database or disk is full", context: "x").failureKind, .transient)
        XCTAssertEqual(AuditStoreError.sqlite(code: 1811, message: "trigger", context: "x").failureKind, .refused)
        XCTAssertEqual(AuditStoreError.sqlite(code: 18, message: "too big", context: "x").failureKind, .refused)
        XCTAssertEqual(AuditStoreError.postgres(message: "no connection", context: "x").failureKind, .transient)
        XCTAssertEqual(AuditStoreError.postgres(message: "shutdown", context: "x", sqlState: "57P01").failureKind, .transient)
        XCTAssertEqual(AuditStoreError.postgres(message: "check", context: "x", sqlState: "23514").failureKind, .refused)
        XCTAssertEqual(AuditStoreError.postgres(message: "encoding", context: "x", sqlState: "22021").failureKind, .refused)
        XCTAssertEqual(AuditStoreError.postgres(message: "raise", context: "x", sqlState: "P0001").failureKind, .refused)
    }
}
