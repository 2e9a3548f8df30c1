import Foundation
import MeshTestSupport
import XCTest
@testable import MeshAudit

/// Runs `AuditBenchmark` against both stores. Small by default (a smoke test of the helper);
/// set AGENTMESH_AUDIT_BENCH_RECORDS (e.g. 200000) for a real measurement, ideally in a release
/// build. Figures are printed; only the trace budget is asserted.
final class BenchmarkTests: XCTestCase {
    /// The 50 ms trace target applies to release builds; debug builds get slack.
    #if DEBUG
    private let traceBudgetMillis = 250.0
    #else
    private let traceBudgetMillis = 50.0
    #endif

    private var records: Int {
        Int(ProcessInfo.processInfo.environment["AGENTMESH_AUDIT_BENCH_RECORDS"] ?? "") ?? 5_000
    }

    func testSQLiteBenchmark() throws {
        let harness = SQLiteHarness()
        defer { harness.destroy() }
        let store = try harness.open(AuditStoreConfiguration(signer: Fixtures.signer))
        let figures = try AuditBenchmark.run(store: store, records: records, batchSize: 1_000, traceRecords: 1_000)
        print("MeshAudit benchmark SQLite (synchronous=FULL): \(figures)")
        XCTAssertEqual(try store.count, records)
        XCTAssertEqual(figures.traceRecords, min(1_000, records))
        XCTAssertLessThan(figures.traceMilliseconds, traceBudgetMillis)
        XCTAssertTrue(try AuditVerifier.verify(store, trust: Fixtures.trust).isValid)
    }

    func testSQLiteNormalSyncBenchmark() throws {
        let harness = SQLiteHarness()
        defer { harness.destroy() }
        let store = try SQLiteAuditStore(path: harness.path, configuration: AuditStoreConfiguration(signer: Fixtures.signer),
                                         durability: .normal)
        let figures = try AuditBenchmark.run(store: store, records: records, batchSize: 1_000)
        print("MeshAudit benchmark SQLite (synchronous=NORMAL): \(figures)")
        XCTAssertEqual(try store.count, records)
    }

    func testPostgresBenchmark() throws {
        let harness = PostgresHarness(url: try PostgresTestEnvironment.url())
        defer { harness.destroy() }
        let store = try harness.open(AuditStoreConfiguration(signer: Fixtures.signer))
        let figures = try AuditBenchmark.run(store: store, records: records, batchSize: 1_000, traceRecords: 1_000)
        print("MeshAudit benchmark PostgreSQL: \(figures)")
        XCTAssertEqual(try store.count, records)
        XCTAssertLessThan(figures.traceMilliseconds, traceBudgetMillis)
        XCTAssertTrue(try AuditVerifier.verify(store, trust: Fixtures.trust).isValid)
    }
}
