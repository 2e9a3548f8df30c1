import Foundation
import MeshAudit
import XCTest

final class ReplayStoreLocationTests: XCTestCase {
    func testStoreLocationsParseFromFlagThenEnvironmentThenHome() throws {
        let home = URL(fileURLWithPath: "/srv/mesh/.agentmesh")
        XCTAssertEqual(try AuditStoreLocation.resolve(flag: "sqlite:/data/a.sqlite", home: home, environment: [:]),
                       .sqlite(path: "/data/a.sqlite"))
        XCTAssertEqual(try AuditStoreLocation.resolve(flag: nil, home: home,
                                                      environment: ["AGENTMESH_AUDIT_STORE": "postgresql://audit@db:5432/mesh"]),
                       .postgres(url: "postgresql://audit@db:5432/mesh", schema: "agentmesh_audit"))
        XCTAssertEqual(try AuditStoreLocation.resolve(flag: nil, home: home, environment: [:]),
                       .sqlite(path: "/srv/mesh/.agentmesh/audit.sqlite"))
        XCTAssertEqual(try AuditStoreLocation.parse("postgres://u@h/db", postgresSchema: "audit2"),
                       .postgres(url: "postgres://u@h/db", schema: "audit2"))
        XCTAssertThrowsError(try AuditStoreLocation.parse("mysql://x"))
        XCTAssertThrowsError(try AuditStoreLocation.parse("sqlite:"))
    }

    func testPasswordsAreNotPrinted() {
        let location = AuditStoreLocation.postgres(url: "postgresql://audit:s3cret@db:5432/mesh", schema: "agentmesh_audit")
        XCTAssertEqual(location.description, "postgresql://audit:***@db:5432/mesh (schema agentmesh_audit)")
        XCTAssertFalse(location.description.contains("s3cret"))
    }

    func testAnUnreachablePostgresStoreIsAClearError() {
        let location = AuditStoreLocation.postgres(url: "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", schema: "agentmesh_audit")
        XCTAssertThrowsError(try location.openForReading()) { error in
            guard case ReplayError.storeUnreachable(let store, _)? = error as? ReplayError else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertTrue(store.hasPrefix("postgresql://nobody@127.0.0.1:1/none"), store)
            XCTAssertTrue("\(error)".contains("is unreachable"))
        }
    }
}
