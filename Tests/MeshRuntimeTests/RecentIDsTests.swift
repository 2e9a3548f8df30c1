import MeshRuntime
import XCTest

final class RecentIDsTests: XCTestCase {
    func testRemembersTheLastIDsUpToItsCapacityAndEvictsTheOldestFirst() {
        var recent = RecentIDs<Int>(capacity: 3)
        XCTAssertTrue(recent.insert("a", 1))
        XCTAssertFalse(recent.insert("a", 2), "a repeat is not inserted twice")
        XCTAssertEqual(recent["a"], 1, "the first value stays")
        XCTAssertTrue(recent.insert("b", 2))
        XCTAssertTrue(recent.insert("c", 3))
        XCTAssertEqual(recent.count, 3)
        XCTAssertTrue(recent.insert("d", 4))
        XCTAssertFalse(recent.contains("a"), "the oldest fell out")
        XCTAssertTrue(["b", "c", "d"].allSatisfy(recent.contains))
        XCTAssertEqual(recent.count, 3)
        XCTAssertTrue(recent.insert("a", 5), "an evicted id is new again")
        XCTAssertFalse(recent.contains("b"))
        XCTAssertFalse(recent.insert("d", 6))
        XCTAssertEqual(recent.count, 3)
    }
}
