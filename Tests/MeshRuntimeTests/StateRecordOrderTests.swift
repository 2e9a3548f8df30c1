@testable import MeshRuntime
import MeshTransport
import XCTest

final class StateRecordOrderTests: XCTestCase {
    func testStateWaitsForEveryEarlierInputsEvents() {
        var order = StateRecordOrder()
        let first = order.take()
        let second = order.take()
        let third = order.take()
        XCTAssertEqual(order.settle(second), [], "the second state must wait for the first input's events")
        XCTAssertEqual(order.settle(third), [])
        XCTAssertEqual(order.settle(first), [.publish(first), .publish(second), .publish(third)])
        XCTAssertEqual(order.waiting, 0)
    }

    func testAnAbandonedInputAbandonsEveryLaterState() {
        var order = StateRecordOrder()
        let first = order.take()
        let second = order.take()
        XCTAssertEqual(order.settle(second), [])
        XCTAssertEqual(order.settle(first, abandoned: true), [.abandon(first), .abandon(second)])
        let third = order.take()
        XCTAssertEqual(order.settle(third), [.abandon(third)], "a later state would include the abandoned input")
    }
}

final class HeldInputsTests: XCTestCase {
    private func hold(_ key: String) -> HoldInput { HoldInput(key: key, reason: "plan-unknown", detail: key) }

    func testHeldInputsComeBackForTheirKeyInArrivalOrder() {
        var held = HeldInputs<Int>(capacity: 10)
        let now = ContinuousClock.now
        XCTAssertNil(held.hold(1, hold("a"), at: now))
        XCTAssertNil(held.hold(2, hold("b"), at: now))
        XCTAssertNil(held.hold(3, hold("a"), at: now))
        XCTAssertEqual(held.take(waitingFor: "a").map(\.input), [1, 3])
        XCTAssertEqual(held.take(waitingFor: "a").map(\.input), [])
        XCTAssertEqual(held.count, 1)
    }

    func testTheBoundGivesUpTheOldest() {
        var held = HeldInputs<Int>(capacity: 2)
        let now = ContinuousClock.now
        XCTAssertNil(held.hold(1, hold("a"), at: now))
        XCTAssertNil(held.hold(2, hold("a"), at: now))
        XCTAssertEqual(held.hold(3, hold("a"), at: now)?.input, 1)
        XCTAssertEqual(held.count, 2)
    }

    func testExpiryTakesOnlyTheOldOnes() {
        var held = HeldInputs<Int>(capacity: 10)
        let start = ContinuousClock.now
        XCTAssertNil(held.hold(1, hold("a"), at: start))
        XCTAssertNil(held.hold(2, hold("b"), at: start + .seconds(10)))
        XCTAssertEqual(held.takeExpired(heldAtOrBefore: start + .seconds(5)).map(\.input), [1])
        XCTAssertEqual(held.count, 1)
    }
}
