import Foundation
import XCTest
@testable import MeshAudit

/// The SQLite store's background WAL checkpointer: the appending connection never
/// checkpoints, yet the WAL stays small and its content reaches the database file.
final class WALCheckpointerTests: XCTestCase {
    private var harness: SQLiteHarness!

    override func setUp() { harness = SQLiteHarness(checkpointPages: 8) }
    override func tearDown() { harness.destroy() }

    private func size(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    func testWALStaysBoundedWhileAppendingAndReachesTheDatabaseFile() throws {
        var store: SQLiteAuditStore? = try SQLiteAuditStore(
            path: harness.path, configuration: Fixtures.configuration(everyRecords: 1_000), checkpointPages: harness.checkpointPages)
        var largestWAL = 0
        let batches = 80
        for batch in 0..<batches {
            _ = try store!.append(Fixtures.inputs((batch * 100 + 1)..<(batch * 100 + 101)))
            largestWAL = max(largestWAL, size(harness.path + "-wal"))
        }
        store!.waitForWALCheckpointer()
        let done = store!.walCheckpoints
        XCTAssertGreaterThan(done.passes, 0, "the checkpointer never ran")
        XCTAssertGreaterThan(done.completions, 0, "no pass copied the whole WAL, so it was never started over")

        // Everything appended went through the WAL; without checkpoints the WAL would hold it
        // all and the database file would hold none of it.
        let databaseBytes = size(harness.path)
        XCTAssertGreaterThan(databaseBytes, batches * 100 * 300, "the WAL content did not reach the database file")
        XCTAssertLessThan(largestWAL, databaseBytes / 2, "the WAL grew to \(largestWAL) bytes (database \(databaseBytes))")

        let report = try AuditVerifier.verify(store!, trust: Fixtures.trust)
        XCTAssertTrue(report.isValid, report.summary)
        XCTAssertEqual(report.recordCount, batches * 100)

        // Closing copies the rest and leaves no WAL behind.
        store = nil
        XCTAssertEqual(size(harness.path + "-wal"), 0)
        let reopened = try harness.open(Fixtures.configuration(everyRecords: 1_000))
        XCTAssertEqual(try reopened.count, batches * 100)
        XCTAssertTrue(try AuditVerifier.verify(reopened, trust: Fixtures.trust).isValid)
    }

    /// Only a store that wrote checkpoints when it closes: one opened to read (an auditor's
    /// `meshctl audit verify` next to a running sink) leaves the writer's WAL alone.
    func testOnlyTheWritingStoreCheckpointsOnClose() throws {
        let configuration = Fixtures.configuration(everyRecords: 1_000)
        // A threshold never reached here, so nothing checkpoints while appending.
        let writer = try SQLiteAuditStore(path: harness.path, configuration: configuration, checkpointPages: 100_000)
        _ = try writer.append(Fixtures.inputs(1..<501))
        let walBefore = size(harness.path + "-wal")
        XCTAssertGreaterThan(walBefore, 0)

        var reader: SQLiteAuditStore? = try SQLiteAuditStore(path: harness.path, configuration: configuration, checkpointPages: 100_000)
        XCTAssertEqual(try reader!.count, 500)
        reader = nil
        XCTAssertEqual(size(harness.path + "-wal"), walBefore, "closing a store that only read checkpointed the WAL")
        XCTAssertEqual(writer.walCheckpoints, SQLiteWALCheckpointer.Statistics())
        _ = try writer.append(Fixtures.inputs(501..<601))
        XCTAssertEqual(try writer.count, 600)
    }

    /// A reader of another connection pins old WAL frames: passes then copy what they may, the
    /// writer carries on, and once the reader is gone the WAL is copied and started over.
    func testReaderHoldingTheWALDoesNotBlockAppends() throws {
        let store = try SQLiteAuditStore(
            path: harness.path, configuration: Fixtures.configuration(everyRecords: 1_000), checkpointPages: harness.checkpointPages)
        _ = try store.append(Fixtures.inputs(1..<101))
        let reader = try SQLiteConnection(path: harness.path)
        try reader.execute("BEGIN")
        let select = try reader.prepare("SELECT count(*) FROM audit_records")
        XCTAssertTrue(try select.step())
        XCTAssertEqual(select.int64(0), 100)
        for batch in 1..<30 {
            _ = try store.append(Fixtures.inputs((batch * 100 + 1)..<(batch * 100 + 101)))
        }
        store.waitForWALCheckpointer()
        let whileReading = store.walCheckpoints.completions
        select.reset()
        try reader.execute("COMMIT")

        for batch in 30..<60 {
            _ = try store.append(Fixtures.inputs((batch * 100 + 1)..<(batch * 100 + 101)))
        }
        store.waitForWALCheckpointer()
        XCTAssertGreaterThan(store.walCheckpoints.completions, whileReading, "the WAL was not copied once the reader left")
        XCTAssertEqual(try store.count, 6_000)
        XCTAssertTrue(try AuditVerifier.verify(store, trust: Fixtures.trust).isValid)
    }
}
