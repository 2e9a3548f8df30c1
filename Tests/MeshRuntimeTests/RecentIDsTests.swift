import MeshRuntime
import XCTest

final class RecentIDsTests: XCTestCase {
    func testRemembersTheLastIDsUpToItsCapacityAndEvictsTheOldestFirst() {
        var recent = RecentIDs(capacity: 3)
        XCTAssertTrue(recent.insert("a"))
        XCTAssertFalse(recent.insert("a"), "a repeat is not inserted twice")
        XCTAssertTrue(recent.insert("b"))
        XCTAssertTrue(recent.insert("c"))
        XCTAssertEqual(recent.count, 3)
        XCTAssertTrue(recent.insert("d"))
        XCTAssertFalse(recent.contains("a"), "the oldest fell out")
        XCTAssertTrue(["b", "c", "d"].allSatisfy(recent.contains))
        XCTAssertEqual(recent.count, 3)
        XCTAssertTrue(recent.insert("a"), "an evicted id is new again")
        XCTAssertFalse(recent.contains("b"))
        XCTAssertFalse(recent.insert("d"))
        XCTAssertEqual(recent.count, 3)
    }
}
