import MeshConsole
import XCTest

final class RecordingWindowTests: XCTestCase {
    /// A flood of refusals writes `limit` records a window; the rest are counted into the next
    /// record, so none goes unaccounted.
    func testAFloodIsRecordedUpToTheLimitAndTheRestCountedIntoTheNextRecord() {
        var window = RecordingWindow(limit: 10, windowSeconds: 60)
        let first = (0..<25).map { _ in window.admit(now: 1_000) }
        XCTAssertEqual(first.compactMap { $0 }, Array(repeating: 0, count: 10), "ten recorded, nothing held before them")
        XCTAssertEqual(first.filter { $0 == nil }.count, 15)
        XCTAssertNil(window.admit(now: 1_059), "still the same window")
        XCTAssertEqual(window.admit(now: 1_060), 16, "the next window's first record carries the 16 not recorded")
        XCTAssertEqual(window.admit(now: 1_061), 0)
    }

    func testQuietTrafficIsRecordedOneByOne() {
        var window = RecordingWindow(limit: 2, windowSeconds: 60)
        for minute in 0..<5 {
            XCTAssertEqual(window.admit(now: Int64(minute * 60)), 0)
            XCTAssertEqual(window.admit(now: Int64(minute * 60 + 1)), 0)
        }
    }
}
