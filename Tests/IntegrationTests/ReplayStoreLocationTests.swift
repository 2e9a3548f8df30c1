import Foundation
import MeshAudit
import XCTest

/// Store URLs are parsed once for every command (see AuditSinkStoreOptionTests); this checks
/// the reader's refusals that replay relies on.
final class ReplayStoreLocationTests: XCTestCase {
    func testAReaderNeverCreatesAStoreAndAnUnreachableOneIsAClearError() throws {
        let missing = NSTemporaryDirectory() + "absent-\(UUID().uuidString).sqlite"
        XCTAssertThrowsError(try AuditStoreLocation.sqlite(path: missing).openForReading()) { error in
            XCTAssertTrue("\(error)".contains("no audit store"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing), "nothing was created")
        let unreachable = try AuditStoreLocation(parsing: "postgresql://nobody:pw@127.0.0.1:1/none?connect_timeout=2")
        XCTAssertThrowsError(try unreachable.openForReading())
        XCTAssertFalse(unreachable.description.contains(":pw@"), "passwords are never printed")
    }
}
