import MeshProcess
import XCTest

final class CircuitBreakerTests: XCTestCase {
    let t0 = ContinuousClock.now

    func at(_ seconds: Int) -> ContinuousClock.Instant { t0.advanced(by: .seconds(seconds)) }

    func testClosedCountsFailuresAndSuccessResets() {
        var breaker = CircuitBreaker(failureThreshold: 3, coolDown: .seconds(30))
        XCTAssertEqual(breaker.admit(at: at(0)), .allowed)
        breaker.recordFailure(at: at(0))
        breaker.recordFailure(at: at(1))
        XCTAssertEqual(breaker.state, .closed(consecutiveFailures: 2))
        breaker.recordSuccess()
        XCTAssertEqual(breaker.state, .closed(consecutiveFailures: 0))
    }

    func testOpensAfterThresholdAndRefusesDuringCoolDown() {
        var breaker = CircuitBreaker(failureThreshold: 2, coolDown: .seconds(30))
        breaker.recordFailure(at: at(0))
        breaker.recordFailure(at: at(5))
        XCTAssertEqual(breaker.state, .open(since: at(5)))
        XCTAssertEqual(breaker.admit(at: at(20)), .refused(retryAt: at(35)))
        XCTAssertEqual(breaker.state, .open(since: at(5)))
        // A late failure from a call admitted earlier does not extend the cool-down.
        breaker.recordFailure(at: at(21))
        XCTAssertEqual(breaker.state, .open(since: at(5)))
    }

    func testHalfOpenAfterCoolDownAllowsOneTrial() {
        var breaker = CircuitBreaker(failureThreshold: 1, coolDown: .seconds(30))
        breaker.recordFailure(at: at(0))
        XCTAssertEqual(breaker.admit(at: at(30)), .allowed)
        XCTAssertEqual(breaker.state, .halfOpen)
        XCTAssertEqual(breaker.admit(at: at(31)), .refused(retryAt: nil))
    }

    func testHalfOpenSuccessCloses() {
        var breaker = CircuitBreaker(failureThreshold: 1, coolDown: .seconds(30))
        breaker.recordFailure(at: at(0))
        _ = breaker.admit(at: at(40))
        breaker.recordSuccess()
        XCTAssertEqual(breaker.state, .closed(consecutiveFailures: 0))
        XCTAssertEqual(breaker.admit(at: at(41)), .allowed)
    }

    func testHalfOpenFailureReopensWithNewCoolDown() {
        var breaker = CircuitBreaker(failureThreshold: 1, coolDown: .seconds(30))
        breaker.recordFailure(at: at(0))
        _ = breaker.admit(at: at(40))
        breaker.recordFailure(at: at(41))
        XCTAssertEqual(breaker.state, .open(since: at(41)))
        XCTAssertEqual(breaker.admit(at: at(70)), .refused(retryAt: at(71)))
        XCTAssertEqual(breaker.admit(at: at(71)), .allowed)
    }

    func testSharedBreakerWrapsTheValue() {
        let shared = SharedCircuitBreaker(failureThreshold: 1, coolDown: .seconds(10))
        shared.recordFailure(at: at(0))
        XCTAssertEqual(shared.admit(at: at(1)), .refused(retryAt: at(10)))
        XCTAssertEqual(shared.current.state, .open(since: at(0)))
        shared.recordSuccess()
        XCTAssertEqual(shared.current.state, .closed(consecutiveFailures: 0))
    }
}
