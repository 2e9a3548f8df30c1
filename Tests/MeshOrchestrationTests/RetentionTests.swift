import MeshOrchestration
import MeshWire
import XCTest

final class RetentionTests: XCTestCase {
    private let minute: Int64 = 60_000_000

    /// Runs single-task objectives `ids` one after the other on one state; those in `finishing`
    /// are driven to completion. Returns the last harness (its state holds every plan).
    private func run(_ ids: [String], finishing: Set<String>) -> Harness {
        var previous: Harness?
        for id in ids {
            let h = Harness(correlationID: id)
            if let previous {
                h.state = previous.state
                h.clock = previous.clock
            }
            h.submit("single-task")
            if finishing.contains(id) { h.pass("code") }
            previous = h
        }
        return previous!
    }

    private func retention(maxAge: Int64 = 10 * 60_000_000, maxFinished: Int = 100, remembered: Int = 100) -> PlanRetention {
        PlanRetention(maxAgeMicros: maxAge, maxFinishedPlans: maxFinished, rememberedIDs: remembered)
    }

    func testAFinishedPlanIsEvictedOnceItsRetentionPassedAndLivePlansStay() throws {
        let h = run(["obj-live", "obj-done"], finishing: ["obj-done"])
        var state = h.state
        let finishedAt = try XCTUnwrap(h.events.last).timeUnixMicros
        XCTAssertEqual(state.finishedCount, 1)

        XCTAssertEqual(state.evictFinished(nowMicros: .min, retention: retention()), [], "a clock far behind evicts nothing")
        XCTAssertEqual(state.evictFinished(nowMicros: finishedAt + 10 * minute - 1_000_000, retention: retention()), [])
        XCTAssertNotNil(state.plan("obj-done"))
        XCTAssertEqual(state.evictFinished(nowMicros: finishedAt + 10 * minute + 1_000_000, retention: retention()), ["obj-done"])
        XCTAssertNil(state.plan("obj-done"))
        XCTAssertTrue(state.hasEvicted("obj-done"))
        XCTAssertEqual(state.finishedCount, 0)
        // A live plan is never evicted, however old.
        XCTAssertEqual(state.evictFinished(nowMicros: .max, retention: retention()), [])
        XCTAssertNotNil(state.plan("obj-live"))
        XCTAssertFalse(state.hasEvicted("obj-live"))
    }

    func testBeyondTheCountTheOldestFinishedPlansGoFirst() {
        let h = run(["obj-a", "obj-b", "obj-live", "obj-c"], finishing: ["obj-a", "obj-b", "obj-c"])
        var state = h.state
        XCTAssertEqual(state.finishedCount, 3)
        let now = h.clock
        XCTAssertEqual(state.evictFinished(nowMicros: now, retention: retention(maxFinished: 1)), ["obj-a", "obj-b"])
        XCTAssertEqual(state.correlationIDs, ["obj-c", "obj-live"])
        XCTAssertEqual(state.evictFinished(nowMicros: now, retention: retention(maxFinished: 0)), ["obj-c"])
        XCTAssertEqual(state.correlationIDs, ["obj-live"])
    }

    func testARedeliveredSubmissionOfAnEvictedPlanDoesNotRunTheObjectiveAgain() throws {
        let h = run(["obj-1"], finishing: ["obj-1"])
        let submission = try XCTUnwrap(h.events.first)
        var state = h.state
        XCTAssertEqual(state.evictFinished(nowMicros: .max, retention: retention()), ["obj-1"])

        let (after, outputs) = h.orchestrator.handle(state, submission)
        XCTAssertEqual(outputs, [])
        XCTAssertEqual(after, state)
        let (recorded, recordedOutputs) = h.orchestrator.handleRecordingState(state, submission)
        XCTAssertEqual(recordedOutputs, [])
        XCTAssertNil(recorded.plan("obj-1"))

        // A new objective still runs.
        let other = Harness(correlationID: "obj-2")
        other.state = state
        XCTAssertNotNil(other.submit("single-task").created)
    }

    func testEvictedIDsAreRememberedUpToTheBound() {
        let h = run(["obj-a", "obj-b", "obj-c"], finishing: ["obj-a", "obj-b", "obj-c"])
        var state = h.state
        XCTAssertEqual(state.evictFinished(nowMicros: .max, retention: retention(remembered: 2)), ["obj-a", "obj-b", "obj-c"])
        XCTAssertFalse(state.hasEvicted("obj-a"), "the oldest evicted id is forgotten beyond the bound")
        XCTAssertTrue(state.hasEvicted("obj-b"))
        XCTAssertTrue(state.hasEvicted("obj-c"))
    }

    func testARevokedFinishedPlanIsNotReportedEvicted() {
        let h = run(["obj-1"], finishing: ["obj-1"])
        var state = h.state
        state.remove(correlationID: "obj-1")
        XCTAssertEqual(state.evictFinished(nowMicros: .max, retention: retention()), [])
        XCTAssertFalse(state.hasEvicted("obj-1"))
    }

    func testARestoredFinishedPlanStartsItsRetentionWhenRestored() throws {
        let finished = run(["obj-1"], finishing: ["obj-1"]).plan
        var state = OrchestratorState()
        let restoredAt: Int64 = 5 * minute
        state.update(finished, at: restoredAt)
        state.update(finished, at: restoredAt + minute)  // already counted: keeps its first time
        XCTAssertEqual(state.finishedCount, 1)
        XCTAssertEqual(state.evictFinished(nowMicros: restoredAt + 2 * minute, retention: retention(maxAge: 2 * minute)), ["obj-1"])
    }

    /// The runtime's in-place entry point gives the same outputs and plan as the pure one, and
    /// hands the plan back when the event is ignored (the runtime put it back into its map).
    func testUpdatingInPlaceMatchesThePureFunctionAndKeepsIgnoredPlans() throws {
        let h = Harness()
        var plan: PlanState?
        let steps: [() -> [Output]] = [{ h.submit("single-task") }, { h.result("code") }, { h.verdict("code", .review, .approve) }]
        for send in steps {
            let before = h.state
            _ = send()
            let event = try XCTUnwrap(h.events.last)
            let (expected, expectedOutputs) = h.orchestrator.handleRecordingState(plan: before.plan(h.correlationID), event)
            let (changed, outputs) = h.orchestrator.handleRecordingState(updating: &plan, event)
            XCTAssertTrue(changed)
            XCTAssertEqual(outputs, expectedOutputs)
            XCTAssertEqual(plan, expected)
            XCTAssertEqual(plan, h.plan)
        }
        let duplicate = try XCTUnwrap(h.events.last)
        let kept = plan
        let (changed, outputs) = h.orchestrator.handleRecordingState(updating: &plan, duplicate)
        XCTAssertFalse(changed)
        XCTAssertEqual(outputs, [])
        XCTAssertEqual(plan, kept)
    }
}
