import MeshKafka
import XCTest

final class OffsetTrackerTests: XCTestCase {
    let partition = TopicPartition(topic: "t", partition: 0)

    func testInOrderCompletionReleasesEachNextOffset() {
        var tracker = OffsetTracker()
        for offset in 0..<3 { tracker.handedOut(partition, offset: Int64(offset)) }
        XCTAssertEqual(tracker.done(partition, offset: 0), 1)
        XCTAssertEqual(tracker.done(partition, offset: 1), 2)
        XCTAssertEqual(tracker.done(partition, offset: 2), 3)
        XCTAssertEqual(tracker.inFlightCount(partition), 0)
    }

    func testOutOfOrderCompletionHoldsTheWatermarkAtTheOldestUnfinished() {
        var tracker = OffsetTracker()
        for offset in [5, 6, 7] as [Int64] { tracker.handedOut(partition, offset: offset) }
        XCTAssertNil(tracker.done(partition, offset: 7), "7 done while 5 is not: nothing may be stored")
        XCTAssertNil(tracker.done(partition, offset: 6))
        XCTAssertEqual(tracker.done(partition, offset: 5), 8, "5 done: everything up to 7 is done")
    }

    func testGapsInOffsetsDoNotBlockTheWatermark() {
        // Transaction markers and compaction leave gaps; only handed-out offsets count.
        var tracker = OffsetTracker()
        tracker.handedOut(partition, offset: 10)
        tracker.handedOut(partition, offset: 14)
        XCTAssertEqual(tracker.done(partition, offset: 10), 14)
        XCTAssertEqual(tracker.done(partition, offset: 14), 15)
    }

    func testDuplicateAndUnknownDoneCallsAreHarmless() {
        var tracker = OffsetTracker()
        tracker.handedOut(partition, offset: 0)
        XCTAssertEqual(tracker.done(partition, offset: 0), 1)
        XCTAssertNil(tracker.done(partition, offset: 0))
        XCTAssertNil(tracker.done(TopicPartition(topic: "other", partition: 3), offset: 9))
    }

    func testForgottenPartitionsStoreNothing() {
        var tracker = OffsetTracker()
        tracker.handedOut(partition, offset: 0)
        tracker.forget([partition])
        XCTAssertNil(tracker.done(partition, offset: 0), "a revoked partition belongs to its new owner")
        XCTAssertEqual(tracker.totalInFlight, 0)
    }

    func testPartitionsAreIndependent() {
        var tracker = OffsetTracker()
        let other = TopicPartition(topic: "t", partition: 1)
        tracker.handedOut(partition, offset: 0)
        tracker.handedOut(other, offset: 0)
        XCTAssertEqual(tracker.done(other, offset: 0), 1)
        XCTAssertEqual(tracker.inFlightCount(partition), 1)
        XCTAssertEqual(tracker.totalInFlight, 1)
    }

    /// Against a plain model (the watermark is the lowest offset still in flight) over many
    /// thousands of offsets finished in a shuffled window, so the compaction of finished
    /// offsets is crossed many times.
    func testMatchesAPlainModelOverLongShuffledRuns() {
        var generator = SystemRandomNumberGenerator()
        var tracker = OffsetTracker()
        let partition = TopicPartition(topic: "t", partition: 0)
        var model = Set<Int64>()
        var pending: [Int64] = []
        var lastStored: Int64 = 0
        var next: Int64 = 0
        while next < 20_000 || !pending.isEmpty {
            if next < 20_000, pending.count < 300, Bool.random(using: &generator) || pending.isEmpty {
                tracker.handedOut(partition, offset: next)
                model.insert(next)
                pending.append(next)
                next += 1
                continue
            }
            // Mostly the oldest, sometimes any: how handlers of one partition finish.
            let index = Int.random(in: 0..<100, using: &generator) < 80 ? 0 : Int.random(in: 0..<pending.count, using: &generator)
            let offset = pending.remove(at: index)
            model.remove(offset)
            let stored = tracker.done(partition, offset: offset)
            let expected = model.min() ?? next
            if expected > lastStored {
                XCTAssertEqual(stored, expected, "after finishing \(offset)")
                lastStored = expected
            } else {
                XCTAssertNil(stored, "after finishing \(offset)")
            }
            XCTAssertEqual(tracker.inFlightCount(partition), model.count)
        }
        XCTAssertEqual(lastStored, 20_000)
    }
}
