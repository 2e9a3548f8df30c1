import Foundation
import MeshAudit
import MeshTestSupport
import XCTest

/// The same replay against a PostgreSQL audit store (`make test` starts one and exports
/// AGENTMESH_TEST_POSTGRES_URL; without it this test fails with instructions unless
/// AGENTMESH_SKIP_POSTGRES=1 asks for a skip).
final class ReplayPostgresTests: ReplayTestCase {
    func testRebuildAndDryRunReadAPostgresStore() async throws {
        let url = try PostgresTestEnvironment.url()
        try await startBroker()
        let schema = "replay_" + String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16))
        let recorder = try ObjectiveRecorder(keysDirectory: home + "/keys") {
            try PostgresAuditStore(url: url, schema: schema, configuration: $0)
        }
        let objective = try recorder.reworked()
        let records = try recorder.store.records(correlationID: objective.correlationID)

        let rebuild = try await replay(objective.correlationID, ["--rebuild", "--store", "\(url)?schema=\(schema)"])
        XCTAssertEqual(rebuild.status, 0, rebuild.stdout + rebuild.stderr)
        XCTAssertTrue(rebuild.stdout.contains("rebuild matches: \(objective.events.count) events"), rebuild.stdout)
        XCTAssertFalse((rebuild.stdout + rebuild.stderr).contains(":agentmesh@"), "the password is not printed")

        let dry = try await replay(objective.correlationID, ["--dry-run", "--store", "\(url)?schema=\(schema)"])
        XCTAssertEqual(dry.status, 0, dry.stdout + dry.stderr)
        XCTAssertTrue(dry.stdout.contains("would re-publish \(records.count) envelopes"), dry.stdout)
    }
}
