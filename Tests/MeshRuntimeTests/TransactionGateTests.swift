import Foundation
@testable import MeshRuntime
import XCTest

/// The gate between lanes adding to the open transaction and the committer.
final class TransactionGateTests: XCTestCase {
    func testCloseWaitsForThePiecesInsideAndPiecesArrivingMeanwhileWaitForOpen() async throws {
        let gate = TransactionGate()
        await gate.enter()
        await gate.enter()
        let closed = DispatchSemaphore(value: 0)
        Thread {
            gate.close()
            closed.signal()
        }.start()
        XCTAssertEqual(closed.wait(timeout: .now() + .milliseconds(200)), .timedOut, "two pieces are still inside")
        gate.leave()
        XCTAssertEqual(closed.wait(timeout: .now() + .milliseconds(200)), .timedOut, "one piece is still inside")
        gate.leave()
        XCTAssertEqual(closed.wait(timeout: .now() + .seconds(5)), .success, "closed once the last piece left")

        let entered = Task {
            await gate.enter()
            return ContinuousClock.now
        }
        try await Task.sleep(for: .milliseconds(200))
        let opened = ContinuousClock.now
        gate.open()
        let enteredAt = await entered.value
        XCTAssertGreaterThanOrEqual(enteredAt, opened, "a piece arriving while closed enters only after open")
        gate.leave()
        gate.close()  // nothing inside: returns at once
        gate.open()
    }
}
