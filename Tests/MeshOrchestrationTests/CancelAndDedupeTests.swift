import MeshOrchestration
import MeshWire
import XCTest

final class CancelAndDedupeTests: XCTestCase {
    func testCancelCancelsOpenTasksAndFailsThePlan() throws {
        let h = Harness()
        h.submit("feature")
        h.pass("discover")
        let outputs = h.send(.objectiveCancelRequested(ObjectiveCancelRequested(
            objectiveID: h.correlationID, requestedBy: "alice", reason: "requirements changed")))
        let failed = try XCTUnwrap(outputs.failed)
        XCTAssertEqual(failed.finalState, .canceled)
        XCTAssertEqual(failed.failedTaskID, "")
        XCTAssertEqual(failed.reason, "objective canceled by alice: requirements changed")
        XCTAssertEqual(h.plan.tasks.map(\.state), [.completed, .canceled, .canceled, .canceled, .canceled])
        XCTAssertEqual(outputs.kinds, [.planStatus, .planFailed])
    }

    func testCancelWithdrawsPendingApprovals() {
        let h = Harness()
        h.submit("approval")
        h.pass("change")
        h.send(.objectiveCancelRequested(ObjectiveCancelRequested(objectiveID: h.correlationID, requestedBy: "alice")))
        XCTAssertEqual(h.plan.approvals.map(\.status), [.withdrawn])
        XCTAssertTrue(Orchestrator.expiredApprovals(h.state, nowMicros: .max).isEmpty)
    }

    func testEventsAfterCancelAreIgnored() {
        let h = Harness()
        h.submit("single-task")
        h.send(.objectiveCancelRequested(ObjectiveCancelRequested(objectiveID: h.correlationID, requestedBy: "alice")))
        let frozen = h.state
        XCTAssertTrue(h.result("code").isEmpty)
        XCTAssertTrue(h.verdict("code", .review, .approve).isEmpty)
        XCTAssertTrue(h.send(.objectiveCancelRequested(ObjectiveCancelRequested(objectiveID: h.correlationID, requestedBy: "x"))).isEmpty)
        XCTAssertEqual(h.state, frozen)
    }

    func testDuplicateEventsAreIgnored() {
        let h = Harness()
        h.submit("single-task")
        let submit = h.events[0]
        let afterSubmit = h.state
        XCTAssertTrue(h.apply(submit).isEmpty)
        XCTAssertEqual(h.state, afterSubmit)

        h.result("code")
        let result = h.events.last!
        let afterResult = h.state
        XCTAssertTrue(h.apply(result).isEmpty)
        XCTAssertEqual(h.state, afterResult)

        h.verdict("code", .review, .requestChanges)
        let verdict = h.events.last!
        h.verdict("code", .compliance, .approve)
        let afterRework = h.state
        XCTAssertTrue(h.apply(verdict).isEmpty, "a redelivered verdict does not trigger a second rework")
        XCTAssertEqual(h.state, afterRework)
        XCTAssertEqual(h.outputs.assignments.count, 2)
    }

    func testResubmissionWithANewEnvelopeIsNotedNotReplanned() {
        let h = Harness()
        h.submit("single-task")
        let outputs = h.submit("feature")
        XCTAssertEqual(outputs.kinds, [.planStatus])
        XCTAssertTrue(outputs.statuses[0].detail.contains("resubmission ignored"))
        XCTAssertEqual(h.plan.playbookName, "single-task")
    }

    func testEventsWithoutAPlanOrNotForTheOrchestratorAreIgnored() {
        let h = Harness()
        let stray = TaskResult(taskID: "code", planID: "p", state: .completed, agentID: "a")
        XCTAssertTrue(h.send(.taskResult(stray)).isEmpty)
        XCTAssertEqual(h.state, OrchestratorState())
        h.submit("single-task")
        let before = h.state
        XCTAssertTrue(h.send(.agentHeartbeat(AgentHeartbeat(agentID: "a", role: "coding"))).isEmpty)
        XCTAssertTrue(h.send(.planStatus(PlanStatus(planID: h.planID))).isEmpty)
        XCTAssertEqual(h.state, before)
    }

    func testResultForUnknownTaskOrOtherPlanIsNoted() {
        let h = Harness()
        h.submit("single-task")
        let unknown = h.send(.taskResult(TaskResult(taskID: "ghost", planID: h.planID, state: .completed, agentID: "a")))
        XCTAssertTrue(unknown.statuses[0].detail.contains("unknown task ghost"))
        let other = h.send(.taskResult(TaskResult(taskID: "code", planID: "other-plan", state: .completed, agentID: "a")))
        XCTAssertTrue(other.statuses[0].detail.contains("plan other-plan ignored"))
        XCTAssertNil(h.task("code").result)
    }

    func testPlansAreIndependent() {
        let a = Harness(correlationID: "obj-a")
        a.submit("single-task")
        let b = Harness(correlationID: "obj-b")
        b.state = a.state
        b.submit("approval")
        XCTAssertEqual(b.state.correlationIDs, ["obj-a", "obj-b"])
        XCTAssertEqual(b.state.plan("obj-a"), a.plan)
        XCTAssertEqual(b.state.removing(correlationID: "obj-b").correlationIDs, ["obj-a"])
    }
}
