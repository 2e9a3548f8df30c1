import Foundation
import MeshAuditIngest
import MeshTestSupport
import XCTest
@testable import MeshAudit

/// Runs the sink's ingest path (`AuditIngestBenchmark`) against both stores. Small by default
/// (a smoke test of the helper); set AGENTMESH_AUDIT_BENCH_RECORDS (e.g. 200000) for a real
/// measurement, ideally in a release build. Figures are printed; the stored log is checked.
final class BenchmarkTests: XCTestCase {
    /// The 50 ms trace target applies to release builds; debug builds get slack.
    #if DEBUG
    private let traceBudgetMillis = 250.0
    #else
    private let traceBudgetMillis = 50.0
    #endif

    private var records: Int {
        Int(ProcessInfo.processInfo.environment["AGENTMESH_AUDIT_BENCH_RECORDS"] ?? "") ?? 3_000
    }

    private func check(_ store: AuditStore, _ figures: AuditIngestBenchmark.Figures, label: String) throws {
        print("MeshAudit ingest benchmark \(label): \(Int(figures.recordsPerSecond)) records/s, trace \(figures.traceMilliseconds) ms, "
              + "repeated \(figures.repeatedTraceMilliseconds) ms")
        XCTAssertEqual(try store.count, records)
        XCTAssertEqual(figures.traceRecords, min(1_000, records))
        XCTAssertLessThan(figures.traceMilliseconds, traceBudgetMillis)
        XCTAssertGreaterThan(figures.repeatedTraceMilliseconds, 0)
        XCTAssertLessThan(figures.repeatedTraceMilliseconds, traceBudgetMillis)
        XCTAssertTrue(try AuditVerifier.verify(store, trust: Fixtures.trust).isValid)
    }

    func testSQLiteBenchmark() throws {
        let harness = SQLiteHarness()
        defer { harness.destroy() }
        let store = try harness.open(AuditStoreConfiguration(signer: Fixtures.signer))
        let workload = try AuditIngestBenchmark.workload(records: records, traceRecords: 1_000, agentRole: "coding")
        try check(store, try AuditIngestBenchmark.run(workload, store: store, batchSize: AuditIngestor.defaultBatchSize),
                  label: "SQLite (synchronous=FULL)")
    }

    func testPostgresBenchmark() throws {
        let harness = PostgresHarness(url: try PostgresTestEnvironment.url())
        defer { harness.destroy() }
        let store = try harness.open(AuditStoreConfiguration(signer: Fixtures.signer))
        let workload = try AuditIngestBenchmark.workload(records: records, traceRecords: 1_000, agentRole: "coding")
        try check(store, try AuditIngestBenchmark.run(workload, store: store, batchSize: AuditIngestor.defaultBatchSize),
                  label: "PostgreSQL")
    }
}
