import MeshOrchestration
import MeshWire
import XCTest

final class ReworkTests: XCTestCase {
    let nullCheck = Finding(ruleID: "review.null-check", severity: .medium, message: "missing nil check", location: "a.swift:3:1")
    let phiLog = Finding(ruleID: "hipaa.phi-in-log", severity: .high, message: "PHI written to log", location: "b.swift:9:5")

    func testRequestChangesReassignsWithAllFindingsAsFeedback() throws {
        let h = Harness()
        h.submit("single-task")
        h.result("code")
        h.verdict("code", .review, .requestChanges, findings: [nullCheck])
        let outputs = h.verdict("code", .compliance, .approve, findings: [phiLog])
        let rework = try XCTUnwrap(outputs.assignments.first)
        XCTAssertEqual(rework.attempt, 2)
        XCTAssertEqual(rework.feedback, [nullCheck, phiLog])
        XCTAssertEqual(rework.instructions, h.task("code").spec.instructions)
        XCTAssertEqual(h.task("code").state, .working)
        XCTAssertEqual(h.task("code").attempt, 2)
        XCTAssertNil(h.task("code").result)

        h.pass("code")
        XCTAssertEqual(h.plan.outcome?.state, .completed)
        XCTAssertEqual(h.outputs.completed?.artifacts.first?.content, Array("code v2".utf8), "attempt 2 artifacts accepted")
    }

    func testEscalationWhenTheAttemptBudgetIsSpent() throws {
        let h = Harness()
        h.submit("single-task")
        for attempt in 1...3 {
            XCTAssertEqual(h.task("code").attempt, UInt32(attempt))
            h.result("code")
            h.verdict("code", .review, .requestChanges, findings: [nullCheck])
            h.verdict("code", .compliance, .approve)
        }
        let failed = try XCTUnwrap(h.outputs.failed)
        XCTAssertEqual(failed.failedTaskID, "code")
        XCTAssertEqual(failed.finalState, .failed)
        XCTAssertTrue(failed.reason.contains("attempt budget of 3 spent"), failed.reason)
        XCTAssertTrue(failed.reason.contains("review.null-check (SEVERITY_MEDIUM) missing nil check at a.swift:3:1"), failed.reason)
        XCTAssertEqual(h.task("code").state, .failed)
        XCTAssertEqual(h.outputs.assignments.count, 3)
    }

    func testRejectFailsThePlanNamingTaskKindAndFindings() throws {
        let h = Harness()
        h.submit("feature")
        h.pass("discover")
        h.result("implement")
        h.verdict("implement", .review, .approve)
        let outputs = h.verdict("implement", .compliance, .reject, findings: [phiLog])
        let failed = try XCTUnwrap(outputs.failed)
        XCTAssertEqual(failed.finalState, .rejected)
        XCTAssertEqual(failed.failedTaskID, "implement")
        XCTAssertTrue(failed.reason.contains("task implement attempt 1 rejected by the VERDICT_KIND_COMPLIANCE verdict"), failed.reason)
        XCTAssertTrue(failed.reason.contains("hipaa.phi-in-log"), failed.reason)
        XCTAssertEqual(h.task("implement").state, .rejected)
        XCTAssertEqual(h.task("document").state, .canceled, "open tasks are canceled with the plan")
        XCTAssertEqual(h.task("test").state, .canceled)
    }

    func testRejectWinsOverRequestChanges() {
        let h = Harness()
        h.submit("single-task")
        h.result("code")
        h.verdict("code", .review, .requestChanges)
        h.verdict("code", .compliance, .reject)
        XCTAssertEqual(h.task("code").state, .rejected)
        XCTAssertEqual(h.outputs.assignments.count, 1)
    }

    func testFailedResultIsRetriedWithTheErrorAsFeedback() throws {
        let h = Harness()
        h.submit("single-task")
        let outputs = h.result("code", failed: "handler exited 1: swift build failed")
        let retry = try XCTUnwrap(outputs.assignments.first)
        XCTAssertEqual(retry.attempt, 2)
        XCTAssertEqual(retry.feedback.count, 1)
        XCTAssertTrue(retry.feedback[0].message.contains("swift build failed"))
        XCTAssertEqual(h.task("code").state, .working)
    }

    func testFailedResultsExhaustTheBudget() throws {
        let h = Harness()
        h.submit("single-task")
        for _ in 1...3 { h.result("code", failed: "timeout") }
        let failed = try XCTUnwrap(h.outputs.failed)
        XCTAssertEqual(failed.finalState, .failed)
        XCTAssertTrue(failed.reason.contains("attempt budget of 3 spent; last attempt failed (timeout)"), failed.reason)
    }

    func testStaleAttemptResultsAndVerdictsAreIgnored() {
        let h = Harness()
        h.submit("single-task")
        h.result("code")
        let firstResult = h.resultIDs["code"]!
        h.verdict("code", .review, .requestChanges)
        h.verdict("code", .compliance, .approve)
        XCTAssertEqual(h.task("code").attempt, 2)
        let before = h.task("code")

        let lateResult = h.result("code", attempt: 1)
        XCTAssertEqual(lateResult.kinds, [.planStatus])
        XCTAssertTrue(lateResult.statuses[0].detail.contains("stale result for code attempt 1 ignored"))
        let lateVerdict = h.verdict("code", .review, .approve, attempt: 1, resultID: firstResult)
        XCTAssertTrue(lateVerdict.statuses[0].detail.contains("stale"))
        XCTAssertEqual(h.task("code"), before, "the task is untouched")
        XCTAssertTrue(h.outputs.suffix(2).assignments.isEmpty)
    }

    func testVerdictForAnotherResultAndSecondVerdictsAreIgnored() {
        let h = Harness()
        h.submit("single-task")
        h.result("code")
        let wrong = h.verdict("code", .review, .approve, resultID: "some-other-result")
        XCTAssertTrue(wrong.statuses[0].detail.contains("the recorded result is"))
        h.verdict("code", .review, .requestChanges)
        let second = h.verdict("code", .review, .approve)
        XCTAssertTrue(second.statuses[0].detail.contains("second VERDICT_KIND_REVIEW verdict"))
        h.verdict("code", .compliance, .approve)
        XCTAssertEqual(h.task("code").attempt, 2, "the first review verdict (request changes) decided")
    }

    func testVerdictOfAKindTheTaskDoesNotRequireIsIgnored() {
        let h = Harness()
        h.submit("feature")
        h.result("discover")
        let outputs = h.verdict("discover", .compliance, .reject)
        XCTAssertTrue(outputs.statuses[0].detail.contains("ignored"))
        XCTAssertEqual(h.task("discover").state, .working)
    }
}
