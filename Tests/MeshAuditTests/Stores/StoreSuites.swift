import MeshTestSupport
import XCTest
@testable import MeshAudit

/// The store contract against SQLite (a fresh file per test).
final class SQLiteStoreTests: XCTestCase {
    private var harness: SQLiteHarness!
    private var contract: StoreContract { StoreContract(harness: harness) }

    override func setUp() { harness = SQLiteHarness() }
    override func tearDown() { harness.destroy() }

    func testAppendAssignsContiguousChainedSequences() throws { try contract.appendAssignsContiguousChainedSequences() }
    func testSequenceContinuesAcrossReopen() throws { try contract.sequenceContinuesAcrossReopen() }
    func testDedupeByEnvelopeID() throws { try contract.dedupeByEnvelopeID() }
    func testDedupeInLargeBatchesAfterARedelivery() throws { try contract.dedupeInLargeBatchesAfterARedelivery() }
    func testDedupeByCoordinatesForUndecodableRecords() throws { try contract.dedupeByCoordinatesForUndecodableRecords() }
    func testRejectedRecordsAreKeptAndFlagged() throws { try contract.rejectedRecordsAreKeptAndFlagged() }
    func testTraceBuildsCausalTree() throws { try contract.traceBuildsCausalTree() }
    func testSearchFilters() throws { try contract.searchFilters() }
    func testCheckpointsByCountAndTime() throws { try contract.checkpointsByCountAndTime() }
    func testExportJSONLinesAndCSVParseBack() throws { try contract.exportJSONLinesAndCSVParseBack() }
    func testTriggersRefuseUpdateAndDelete() throws { try contract.triggersRefuseUpdateAndDelete() }
    func testAbortedBatchWritesNothing() throws { try contract.abortedBatchWritesNothing() }
    func testUntamperedStoreVerifiesClean() throws { try contract.untamperedStoreVerifiesClean() }

    /// --record-later-copies looks every envelope id of a batch up; through the partial
    /// unique index, never by scanning the table.
    func testLaterCopyLookupUsesTheEnvelopeIDIndex() throws {
        let store = try SQLiteAuditStore(path: harness.path, configuration: Fixtures.configuration())
        _ = try store.append(Fixtures.inputs(1..<2))
        let plan = try SQLiteConnection(path: harness.path).prepare("EXPLAIN QUERY PLAN " + SQLiteAppendTransaction.storedCopySQL)
        var details: [String] = []
        while try plan.step() { details.append(plan.text(3)) }
        XCTAssertTrue(details.contains { $0.contains("USING INDEX audit_records_envelope_id") }, "\(details)")
        XCTAssertFalse(details.contains { $0.hasPrefix("SCAN") }, "\(details)")
    }

    func testWALModeAndFullSync() throws {
        let store = try SQLiteAuditStore(path: harness.path, configuration: Fixtures.configuration())
        _ = try store.append(Fixtures.inputs(1..<2))
        let connection = try SQLiteConnection(path: harness.path)
        let mode = try connection.prepare("PRAGMA journal_mode")
        XCTAssertTrue(try mode.step())
        XCTAssertEqual(mode.text(0), "wal")
    }
}

/// The store contract against PostgreSQL (a fresh schema per test). Needs
/// AGENTMESH_TEST_POSTGRES_URL; fails with instructions when it is missing.
final class PostgresStoreTests: XCTestCase {
    private var harness: PostgresHarness!
    private var contract: StoreContract { StoreContract(harness: harness) }

    override func setUpWithError() throws { harness = PostgresHarness(url: try PostgresTestEnvironment.url()) }
    override func tearDown() { harness?.destroy() }

    func testAppendAssignsContiguousChainedSequences() throws { try contract.appendAssignsContiguousChainedSequences() }
    func testSequenceContinuesAcrossReopen() throws { try contract.sequenceContinuesAcrossReopen() }
    func testDedupeByEnvelopeID() throws { try contract.dedupeByEnvelopeID() }
    func testDedupeInLargeBatchesAfterARedelivery() throws { try contract.dedupeInLargeBatchesAfterARedelivery() }
    func testDedupeByCoordinatesForUndecodableRecords() throws { try contract.dedupeByCoordinatesForUndecodableRecords() }
    func testRejectedRecordsAreKeptAndFlagged() throws { try contract.rejectedRecordsAreKeptAndFlagged() }
    func testTraceBuildsCausalTree() throws { try contract.traceBuildsCausalTree() }
    func testSearchFilters() throws { try contract.searchFilters() }
    func testCheckpointsByCountAndTime() throws { try contract.checkpointsByCountAndTime() }
    func testExportJSONLinesAndCSVParseBack() throws { try contract.exportJSONLinesAndCSVParseBack() }
    func testTriggersRefuseUpdateAndDelete() throws { try contract.triggersRefuseUpdateAndDelete() }
    func testAbortedBatchWritesNothing() throws { try contract.abortedBatchWritesNothing() }
    func testUntamperedStoreVerifiesClean() throws { try contract.untamperedStoreVerifiesClean() }

    func testRejectsUnsafeSchemaName() throws {
        XCTAssertThrowsError(try PostgresAuditStore(url: harness.url, schema: "x; DROP TABLE y", configuration: Fixtures.configuration()))
    }

    func testTwoStoresOnOneSchemaDoNotForkTheChain() throws {
        let first = try harness.open(Fixtures.configuration())
        let second = try harness.open(Fixtures.configuration())
        _ = try first.append(Fixtures.inputs(1..<4))
        XCTAssertEqual(try second.append(Fixtures.inputs(4..<6)).sequences, [4, 5])
        XCTAssertEqual(try first.append(Fixtures.inputs(6..<7)).sequences, [6])
        XCTAssertTrue(try AuditVerifier.verify(first, trust: Fixtures.trust).isValid)
    }
}

/// Tamper detection on SQLite.
final class SQLiteTamperTests: XCTestCase {
    private var harness: SQLiteHarness!
    private var contract: TamperContract { TamperContract(harness: harness) }

    override func setUp() { harness = SQLiteHarness() }
    override func tearDown() { harness.destroy() }

    func testUntamperedVerifiesClean() throws { try contract.untamperedVerifiesClean() }
    func testChangedField() throws { try contract.changedField() }
    func testChangedVerificationStatus() throws { try contract.changedVerificationStatus() }
    func testChangedRawBytes() throws { try contract.changedRawBytes() }
    func testChangedAndRehashedRecord() throws { try contract.changedAndRehashedRecord() }
    func testDeletedRow() throws { try contract.deletedRow() }
    func testDeletedRowAndRenumbered() throws { try contract.deletedRowAndRenumbered() }
    func testReorderedRows() throws { try contract.reorderedRows() }
    func testReorderedDistantRows() throws { try contract.reorderedDistantRows() }
    func testInsertedForgedRow() throws { try contract.insertedForgedRow() }
    func testInsertedGarbageRow() throws { try contract.insertedGarbageRow() }
    func testTruncatedTailBelowCheckpoint() throws { try contract.truncatedTailBelowCheckpoint() }
    func testTruncatedTailAndCheckpointsNeedAnAnchor() throws { try contract.truncatedTailAndCheckpointsNeedAnAnchor() }
    func testForgedCheckpointRoot() throws { try contract.forgedCheckpointRoot() }
    func testForgedCheckpointWithUntrustedKey() throws { try contract.forgedCheckpointWithUntrustedKey() }
    func testRewrittenSuffixCaughtByCheckpoint() throws { try contract.rewrittenSuffixCaughtByCheckpoint() }
}

/// Tamper detection on PostgreSQL.
final class PostgresTamperTests: XCTestCase {
    private var harness: PostgresHarness!
    private var contract: TamperContract { TamperContract(harness: harness) }

    override func setUpWithError() throws { harness = PostgresHarness(url: try PostgresTestEnvironment.url()) }
    override func tearDown() { harness?.destroy() }

    func testUntamperedVerifiesClean() throws { try contract.untamperedVerifiesClean() }
    func testChangedField() throws { try contract.changedField() }
    func testChangedVerificationStatus() throws { try contract.changedVerificationStatus() }
    func testChangedRawBytes() throws { try contract.changedRawBytes() }
    func testChangedAndRehashedRecord() throws { try contract.changedAndRehashedRecord() }
    func testDeletedRow() throws { try contract.deletedRow() }
    func testDeletedRowAndRenumbered() throws { try contract.deletedRowAndRenumbered() }
    func testReorderedRows() throws { try contract.reorderedRows() }
    func testReorderedDistantRows() throws { try contract.reorderedDistantRows() }
    func testInsertedForgedRow() throws { try contract.insertedForgedRow() }
    func testInsertedGarbageRow() throws { try contract.insertedGarbageRow() }
    func testTruncatedTailBelowCheckpoint() throws { try contract.truncatedTailBelowCheckpoint() }
    func testTruncatedTailAndCheckpointsNeedAnAnchor() throws { try contract.truncatedTailAndCheckpointsNeedAnAnchor() }
    func testForgedCheckpointRoot() throws { try contract.forgedCheckpointRoot() }
    func testForgedCheckpointWithUntrustedKey() throws { try contract.forgedCheckpointWithUntrustedKey() }
    func testRewrittenSuffixCaughtByCheckpoint() throws { try contract.rewrittenSuffixCaughtByCheckpoint() }
}

/// The attacks of issue 16 against `audit verify --anchor`, on SQLite.
final class SQLiteAnchoredTamperTests: XCTestCase {
    private var harness: SQLiteHarness!
    private var contract: AnchoredTamperContract { AnchoredTamperContract(harness: harness) }

    override func setUp() { harness = SQLiteHarness() }
    override func tearDown() { harness.destroy() }

    func testUntouchedLogVerifiesAgainstItsAnchors() throws { try contract.untouchedLogVerifiesAgainstItsAnchors() }
    func testAnyColumnChanged() throws { try contract.anyColumnChanged() }
    func testNullEmptyAndWidePartitionAreNotFolded() throws { try contract.nullEmptyAndWidePartitionAreNotFolded() }
    func testDeletedFirstMiddleAndLastRecords() throws { try contract.deletedFirstMiddleAndLastRecords() }
    func testSwappedRecords() throws { try contract.swappedRecords() }
    func testFabricatedRecordAppended() throws { try contract.fabricatedRecordAppended() }
    func testMiddleEditRechainedAndCheckpointsDeleted() throws { try contract.middleEditRechainedAndCheckpointsDeleted() }
    func testRewriteResignedWithEveryReadableKey() throws { try contract.rewriteResignedWithEveryReadableKey() }
    func testAllCheckpointsDeleted() throws { try contract.allCheckpointsDeleted() }
    func testDatabaseReplacedByAnotherStore() throws { try contract.databaseReplacedByAnotherStore() }
    func testEnvelopeAlteredAndRechained() throws { try contract.envelopeAlteredAndRechained() }
    func testTruncatedTailWithItsCheckpoints() throws { try contract.truncatedTailWithItsCheckpoints() }
    func testDoctoredIndex() throws { try contract.doctoredIndex() }
    func testRevokedKeyIsNotTampering() throws { try contract.revokedKeyIsNotTampering() }
    func testWriterRefusesARewrittenLog() throws { try contract.writerRefusesARewrittenLog() }
    func testStartCheckRefusesARewrittenLog() throws { try contract.startCheckRefusesARewrittenLog() }
    func testLaterCopiesAreStoredFlagged() throws { try contract.laterCopiesAreStoredFlagged() }
    func testUnauthorizedEnvelopesAreStoredFlagged() throws { try contract.unauthorizedEnvelopesAreStoredFlagged() }
    func testReadersOpenReadOnly() throws { try contract.readersOpenReadOnly() }
}

/// The attacks of issue 16 against `audit verify --anchor`, on PostgreSQL.
final class PostgresAnchoredTamperTests: XCTestCase {
    private var harness: PostgresHarness!
    private var contract: AnchoredTamperContract { AnchoredTamperContract(harness: harness) }

    override func setUpWithError() throws { harness = PostgresHarness(url: try PostgresTestEnvironment.url()) }
    override func tearDown() { harness?.destroy() }

    func testUntouchedLogVerifiesAgainstItsAnchors() throws { try contract.untouchedLogVerifiesAgainstItsAnchors() }
    func testAnyColumnChanged() throws { try contract.anyColumnChanged() }
    func testNullEmptyAndWidePartitionAreNotFolded() throws { try contract.nullEmptyAndWidePartitionAreNotFolded() }
    func testDeletedFirstMiddleAndLastRecords() throws { try contract.deletedFirstMiddleAndLastRecords() }
    func testSwappedRecords() throws { try contract.swappedRecords() }
    func testFabricatedRecordAppended() throws { try contract.fabricatedRecordAppended() }
    func testMiddleEditRechainedAndCheckpointsDeleted() throws { try contract.middleEditRechainedAndCheckpointsDeleted() }
    func testRewriteResignedWithEveryReadableKey() throws { try contract.rewriteResignedWithEveryReadableKey() }
    func testAllCheckpointsDeleted() throws { try contract.allCheckpointsDeleted() }
    func testDatabaseReplacedByAnotherStore() throws { try contract.databaseReplacedByAnotherStore() }
    func testEnvelopeAlteredAndRechained() throws { try contract.envelopeAlteredAndRechained() }
    func testTruncatedTailWithItsCheckpoints() throws { try contract.truncatedTailWithItsCheckpoints() }

    /// Needs AGENTMESH_TEST_POSTGRES_SUPERUSER_URL (the attack rewrites a catalog) and amcheck
    /// installed for the test role (scripts/postgres-test-server.sh does both).
    func testDoctoredIndex() throws {
        let report = try contract.doctoredIndex()
        let available = try PGConnection(url: harness.url).execute("SELECT count(*) FROM pg_extension WHERE extname = 'amcheck'")
        // Without the contrib the index comparison above is the whole defence (the script says so).
        guard available.integer(0, 0) == 1 else { return }
        XCTAssertTrue(report.failures.contains {
            $0.problem == .storageInconsistent && $0.detail.hasPrefix("amcheck on audit_records_correlation")
        }, "bt_index_check finds the heap tuple missing from the index: \(report.failures.map(\.detail))")
    }
    func testRevokedKeyIsNotTampering() throws { try contract.revokedKeyIsNotTampering() }
    func testWriterRefusesARewrittenLog() throws { try contract.writerRefusesARewrittenLog() }
    func testStartCheckRefusesARewrittenLog() throws { try contract.startCheckRefusesARewrittenLog() }
    func testLaterCopiesAreStoredFlagged() throws { try contract.laterCopiesAreStoredFlagged() }
    func testUnauthorizedEnvelopesAreStoredFlagged() throws { try contract.unauthorizedEnvelopesAreStoredFlagged() }
    func testReadersOpenReadOnly() throws { try contract.readersOpenReadOnly() }
}
