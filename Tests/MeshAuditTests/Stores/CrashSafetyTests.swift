import Foundation
import MeshTestSupport
import XCTest
@testable import MeshAudit

/// Kills a process with SIGKILL while it appends and checks that what is left is a clean chain
/// made of whole batches, and that appending continues from the stored head.
final class CrashSafetyTests: XCTestCase {
    static let childVariable = "AGENTMESH_AUDIT_CRASH_CHILD"
    static let batchSize = 100

    /// The child process body: appends batches until killed. Does nothing in a normal run
    /// (without the environment variable the parent sets).
    func testChildAppendLoop() throws {
        guard let descriptor = ProcessInfo.processInfo.environment[Self.childVariable],
              let harness = harness(fromDescriptor: descriptor) else { return }
        let store = try harness.open(Fixtures.configuration(everyRecords: 250))
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let next = Int(try store.head()?.sequence ?? 0) + 1
            _ = try store.append(Fixtures.inputs(next..<(next + Self.batchSize)))
        }
    }

    func testSQLiteKilledMidAppendLeavesWholeBatchesAndIntactChain() throws {
        try killWhileAppending(SQLiteHarness())
    }

    /// With a WAL threshold of a few pages the background checkpointer is copying the WAL
    /// into the database file nearly all the time, so the kill lands mid-checkpoint.
    func testSQLiteKilledMidCheckpointLeavesWholeBatchesAndIntactChain() throws {
        let harness = SQLiteHarness(checkpointPages: 4)
        try killWhileAppending(harness) {
            // The child's checkpoints reached the database file (it grows only by them).
            let databaseBytes = (try? FileManager.default.attributesOfItem(atPath: harness.path)[.size] as? Int) ?? 0
            XCTAssertGreaterThan(databaseBytes, 2_000 * 300, "no checkpoint copied the WAL before the kill")
        }
    }

    func testPostgresKilledMidAppendLeavesWholeBatchesAndIntactChain() throws {
        try killWhileAppending(PostgresHarness(url: try PostgresTestEnvironment.url()))
    }

    private func killWhileAppending(_ harness: StoreHarness, beforeReopen: () -> Void = {}) throws {
        defer { harness.destroy() }
        let observer = try harness.open(Fixtures.configuration(everyRecords: 250))

        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["MeshAuditTests.CrashSafetyTests/testChildAppendLoop"]
        var environment = ProcessInfo.processInfo.environment
        environment[Self.childVariable] = harness.childDescriptor
        child.environment = environment
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()

        // Let it write a few thousand records, then kill it without warning.
        let deadline = Date().addingTimeInterval(90)
        var seen = 0
        while seen < 2_000 && Date() < deadline && child.isRunning {
            usleep(20_000)
            seen = try observer.count
        }
        XCTAssertTrue(child.isRunning, "the child stopped on its own (see its output by running it by hand)")
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        XCTAssertEqual(child.terminationReason, .uncaughtSignal)
        XCTAssertGreaterThanOrEqual(seen, 2_000, "the child did not append")
        beforeReopen()

        let reopened = try harness.open(Fixtures.configuration(everyRecords: 250))
        let count = try reopened.count
        XCTAssertEqual(count % Self.batchSize, 0, "a half-written batch survived: \(count) records")
        XCTAssertEqual(try reopened.head()?.sequence, Int64(count))
        let report = try AuditVerifier.verify(reopened, trust: Fixtures.trust)
        XCTAssertTrue(report.isValid, report.summary)
        XCTAssertEqual(report.recordCount, count)

        let outcome = try reopened.append(Fixtures.inputs((count + 1)..<(count + 11)))
        XCTAssertEqual(outcome.sequences.first, Int64(count + 1), "the chain continues from the stored head")
        XCTAssertTrue(try AuditVerifier.verify(reopened, trust: Fixtures.trust).isValid)
    }
}
