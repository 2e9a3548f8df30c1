import MeshProcess
import XCTest

final class ConcurrencyLimiterTests: XCTestCase {
    actor Gauge {
        var current = 0
        var peak = 0
        func enter() { current += 1; peak = max(peak, current) }
        func leave() { current -= 1 }
    }

    func testNeverMoreThanLimitHoldersAtOnce() async throws {
        let limiter = ConcurrencyLimiter(limit: 3)
        let gauge = Gauge()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await limiter.withPermit {
                        await gauge.enter()
                        try await Task.sleep(for: .milliseconds(10))
                        await gauge.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
        let peak = await gauge.peak
        XCTAssertEqual(peak, 3)
        let inUse = await limiter.inUse
        XCTAssertEqual(inUse, 0)
    }

    func testRealProcessesAreBounded() async throws {
        let limiter = ConcurrencyLimiter(limit: 2)
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    _ = try await limiter.withPermit {
                        try await ExternalCommand(executable: "sleep", arguments: ["0.3"]).run(timeout: .seconds(10))
                    }
                }
            }
            try await group.waitForAll()
        }
        // Four 0.3 s sleeps two at a time take at least two rounds.
        XCTAssertGreaterThanOrEqual(started.duration(to: .now), .milliseconds(590))
    }

    func testCancelledWaiterLeavesTheQueue() async throws {
        let limiter = ConcurrencyLimiter(limit: 1)
        try await limiter.acquire()
        let waiter = Task { try await limiter.acquire() }
        while await limiter.waiting == 0 { await Task.yield() }
        waiter.cancel()
        do {
            try await waiter.value
            XCTFail("expected cancellation")
        } catch is CancellationError {}
        let waiting = await limiter.waiting
        XCTAssertEqual(waiting, 0)
        await limiter.release()
        let inUse = await limiter.inUse
        XCTAssertEqual(inUse, 0)
    }

    func testAWaiterLeavesTheQueueAtItsDeadline() async throws {
        let limiter = ConcurrencyLimiter(limit: 1)
        try await limiter.acquire()
        do {
            try await limiter.acquire(before: .now + .milliseconds(100))
            XCTFail("expected the deadline to pass while the permit is held")
        } catch let error as PermitDeadlineReached {
            XCTAssertEqual(error.limit, 1)
        }
        let waiting = await limiter.waiting
        XCTAssertEqual(waiting, 0)
        // A permit freed before the deadline is taken, and the expired waiter did not consume one.
        await limiter.release()
        try await limiter.acquire(before: .now + .seconds(5))
        let inUse = await limiter.inUse
        XCTAssertEqual(inUse, 1)
    }

    func testLimitIsAtLeastOne() {
        XCTAssertEqual(ConcurrencyLimiter(limit: 0).limit, 1)
    }
}
