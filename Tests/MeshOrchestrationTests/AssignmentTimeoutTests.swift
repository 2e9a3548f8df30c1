import MeshOrchestration
import MeshSigning
import MeshWire
import XCTest

/// Nothing waits forever: an attempt undecided within its task's assignment timeout fails
/// through a recorded result, and the next attempt is assigned.
final class AssignmentTimeoutTests: XCTestCase {
    private let playbook = """
        playbook: timed
        version: 1
        tasks:
          - id: implement
            role: coding
            instructions: Do it.
            max_attempts: 2
            assignment_timeout: 90s
        """

    private func timedHarness() throws -> Harness {
        let h = Harness(library: try library(playbook))
        h.submit("timed")
        return h
    }

    func testTheAssignmentCarriesItsDeadlineAndTheStatusSaysWhatItWaitsFor() throws {
        let h = try timedHarness()
        let task = h.task("implement")
        XCTAssertEqual(task.spec.assignmentTimeoutMicros, 90_000_000)
        XCTAssertEqual(task.attemptDeadlineUnixMicros, task.assignedAtUnixMicros + 90_000_000)
        XCTAssertEqual(h.outputs.assignments.first?.deadlineUnixMicros, task.attemptDeadlineUnixMicros)
        let detail = try XCTUnwrap(h.outputs.statuses.last?.tasks.first?.detail)
        XCTAssertTrue(detail.contains("waiting for the coding agent's result since"), detail)
        XCTAssertTrue(detail.contains("timeout 1m30s"), detail)
    }

    func testNothingExpiresBeforeTheDeadline() throws {
        let h = try timedHarness()
        let deadline = try XCTUnwrap(h.task("implement").attemptDeadlineUnixMicros)
        XCTAssertTrue(Orchestrator.expiredAssignments(h.state, nowMicros: deadline - 1).isEmpty)
        XCTAssertEqual(Orchestrator.overduePlanCount(h.state, nowMicros: deadline - 1), 0)
        XCTAssertEqual(Orchestrator.overduePlanCount(h.state, nowMicros: deadline), 1)
    }

    func testAnExpiredAttemptFailsThroughItsRecordedResultAndIsAssignedAgain() throws {
        let h = try timedHarness()
        let task = h.task("implement")
        let deadline = try XCTUnwrap(task.attemptDeadlineUnixMicros)
        let expired = Orchestrator.expiredAssignments(h.state, nowMicros: deadline + 5)
        XCTAssertEqual(expired.count, 1)
        let envelope = try XCTUnwrap(expired.first?.envelope)
        XCTAssertEqual(expired.first?.destination, .results)
        XCTAssertEqual(envelope.timeUnixMicros, deadline, "the result's time is the deadline, not the clock")
        XCTAssertEqual(envelope.causationID, task.assignmentEnvelopeID)
        XCTAssertEqual(envelope.source, Orchestrator.source)
        // Deterministic: asked again (the tick runs every second), the same envelope.
        XCTAssertEqual(Orchestrator.expiredAssignments(h.state, nowMicros: deadline + 900).map(\.envelope), [envelope])

        let outputs = h.apply(envelope)
        XCTAssertEqual(outputs.assignments.map(\.attempt), [2])
        XCTAssertTrue(outputs.assignments[0].feedback.contains { $0.message.contains("assignment timeout of 1m30s") })
        XCTAssertEqual(h.task("implement").attempt, 2)
        XCTAssertTrue(Orchestrator.expiredAssignments(h.state, nowMicros: deadline + 5).isEmpty,
                      "attempt 2 has its own deadline")
    }

    func testAnAttemptWhoseVerdictsNeverCameTimesOutToo() throws {
        let h = try timedHarness()
        h.result("implement")  // the verdicts are lost
        let deadline = try XCTUnwrap(h.task("implement").attemptDeadlineUnixMicros)
        let expired = Orchestrator.expiredAssignments(h.state, nowMicros: deadline)
        XCTAssertEqual(expired.count, 1)
        XCTAssertEqual(h.apply(expired[0].envelope).assignments.map(\.attempt), [2])
    }

    func testTheLastAttemptTimingOutFailsThePlan() throws {
        let h = try timedHarness()
        for _ in 0..<2 {
            let deadline = try XCTUnwrap(h.task("implement").attemptDeadlineUnixMicros)
            for output in Orchestrator.expiredAssignments(h.state, nowMicros: deadline) { h.apply(output.envelope) }
        }
        XCTAssertEqual(h.plan.outcome?.state, .failed)
        XCTAssertTrue(h.plan.outcome?.text.contains("assignment timeout") ?? false, h.plan.outcome?.text ?? "")
    }

    func testALateExpiryOfADecidedAttemptIsIgnored() throws {
        let h = try timedHarness()
        let deadline = try XCTUnwrap(h.task("implement").attemptDeadlineUnixMicros)
        let expiry = try XCTUnwrap(Orchestrator.expiredAssignments(h.state, nowMicros: deadline).first?.envelope)
        h.pass("implement")
        XCTAssertEqual(h.plan.outcome?.state, .completed)
        XCTAssertTrue(h.apply(expiry).isEmpty, "a finished plan ignores the late expiry")
    }

    /// Only the orchestrator's own result is an expiry: an agent naming the timeout author
    /// fails its attempt like any failed result, and cannot fail a judged attempt.
    func testAnAgentCannotPoseAsTheTimeout() throws {
        let h = try timedHarness()
        h.result("implement")
        let outputs = h.result("implement", failed: "timeout", agent: Orchestrator.assignmentTimeoutAgent)
        XCTAssertTrue(outputs.assignments.isEmpty)
        XCTAssertTrue(outputs.statuses.last?.detail.contains("second result") ?? false, "\(outputs.statuses)")
        XCTAssertEqual(h.task("implement").attempt, 1)
    }

    func testTheDefaultTimeoutAndBadDurations() throws {
        let h = Harness()
        h.submit("feature", parameters: [Attribute("component", "chart")])
        XCTAssertEqual(h.plan.tasks[0].spec.assignmentTimeoutMicros, PlaybookTask.defaultAssignmentTimeoutMicros)
        let found = issues("""
            playbook: bad
            version: 1
            tasks:
              - id: a
                role: coding
                instructions: x
                assignment_timeout: soon
            """)
        XCTAssertEqual(found.map(\.field), ["assignment_timeout"])
        XCTAssertEqual(PlaybookDuration.text(micros: 5_400_000_000), "1h30m")
        XCTAssertEqual(PlaybookDuration.text(micros: 45_000_000), "45s")
    }
}

/// Events that come back before their cause after a crash wait for it (the runtime holds
/// them) instead of being ignored as unknown.
final class CausalOrderTests: XCTestCase {
    private func reviewed() -> Harness {
        let h = Harness()
        h.submit("single-task")
        return h
    }

    func testAVerdictWaitsForTheResultItJudged() throws {
        let h = reviewed()
        let verdict = Envelope(
            id: "early-verdict", source: "/mesh/reviewer", correlationID: h.correlationID,
            payload: .verdict(Verdict(taskID: "code", planID: h.planID, attempt: 1, kind: .review, decision: .approve,
                                      resultEnvelopeID: "result-1", reviewerID: "reviewer")))
        XCTAssertNotNil(Orchestrator.missingCause(of: verdict, in: h.plan))
        h.result("code")
        XCTAssertNil(Orchestrator.missingCause(of: verdict, in: h.plan), "once the result is recorded it applies")
    }

    func testAResultOfAnAttemptNotAssignedYetWaits() throws {
        let h = reviewed()
        let result = Envelope(
            id: "early-result", source: "/mesh/coding/c-1", correlationID: h.correlationID,
            payload: .taskResult(TaskResult(taskID: "code", planID: h.planID, attempt: 2, state: .completed, agentID: "c-1")))
        XCTAssertNotNil(Orchestrator.missingCause(of: result, in: h.plan))
        h.result("code", failed: "crashed")  // rework: attempt 2 assigned
        XCTAssertNil(Orchestrator.missingCause(of: result, in: h.plan))
    }

    func testADecisionWaitsForItsApprovalRequest() throws {
        let h = Harness()
        h.submit("approval")
        let decision = Envelope(
            id: "early-decision", source: "/mesh/approver/bob", correlationID: h.correlationID,
            payload: .approvalDecision(ApprovalDecision(approvalID: "approval-1", decision: .approve, signerID: "bob", printedName: "Bob",
                                                        meaning: "approved", signedAtUnixMicros: 1, resultSHA256: [])))
        XCTAssertNotNil(Orchestrator.missingCause(of: decision, in: h.plan))
    }

    func testStaleAndForeignEventsAreNotHeld() throws {
        let h = reviewed()
        h.result("code", failed: "crashed")
        let stale = Envelope(
            id: "stale-verdict", source: "/mesh/reviewer", correlationID: h.correlationID,
            payload: .verdict(Verdict(taskID: "code", planID: h.planID, attempt: 1, kind: .review, decision: .approve,
                                      resultEnvelopeID: "old", reviewerID: "reviewer")))
        XCTAssertNil(Orchestrator.missingCause(of: stale, in: h.plan), "an earlier attempt's verdict is stale, not early")
        let foreign = Envelope(
            id: "foreign", source: "/mesh/reviewer", correlationID: h.correlationID,
            payload: .verdict(Verdict(taskID: "nope", planID: h.planID, attempt: 9, kind: .review, decision: .approve,
                                      resultEnvelopeID: "x", reviewerID: "reviewer")))
        XCTAssertNil(Orchestrator.missingCause(of: foreign, in: h.plan))
    }
}

/// Every id the orchestrator derives is the one a receiver recomputes from the envelope
/// alone (`DerivedID.expected`), so no principal can mint or pre-empt it.
final class DerivedIDRuleTests: XCTestCase {
    func testEveryOrchestratorOutputOfARunVerifies() throws {
        let h = recordedFeatureRun()
        var outputs = h.outputs
        // The timer outputs too: an expired approval and a timed-out attempt.
        let approvals = Harness()
        approvals.submit("approval")
        approvals.pass("change")
        let deadline = try XCTUnwrap(approvals.plan.pendingApprovals.first?.deadlineUnixMicros)
        outputs += Orchestrator.expiredApprovals(approvals.state, nowMicros: deadline)
        let timed = Harness()
        timed.submit("single-task")
        outputs += Orchestrator.expiredAssignments(timed.state, nowMicros: .max)
        XCTAssertTrue(outputs.contains { $0.envelope.payload.kind == .approvalDecision })
        XCTAssertTrue(outputs.contains { $0.envelope.payload.kind == .taskResult })
        for output in outputs {
            XCTAssertEqual(DerivedID.expected(for: output.envelope, producedBy: Orchestrator.role), output.envelope.id,
                           "\(output.envelope.type)")
            XCTAssertNil(DerivedID.mismatch(output.envelope, signedByRole: Orchestrator.role))
        }
        let snapshot = Orchestrator.snapshotOutput(of: h.plan, after: h.events.last!).envelope
        XCTAssertNil(DerivedID.mismatch(snapshot, signedByRole: Orchestrator.role))
    }

    func testAnotherRoleOrAnotherCauseCannotTakeTheId() throws {
        let h = Harness()
        let assignment = try XCTUnwrap(h.submit("single-task").first { $0.envelope.payload.kind == .taskAssigned }?.envelope)
        var forged = assignment
        forged.causationID = "another-cause"
        XCTAssertNotNil(DerivedID.mismatch(forged, signedByRole: Orchestrator.role), "the id no longer derives from its cause")
        XCTAssertNotNil(DerivedID.mismatch(assignment, signedByRole: "coding"), "no agent derives assignments")
        XCTAssertNotNil(DerivedID.mismatch(assignment, signedByRole: nil), "a person cannot send a derived-form id")
    }

    func testRootsMayNotTakeTheDerivedForm() {
        let root = Envelope(source: "/mesh/meshctl/x", correlationID: "obj-9", payload: .objectiveSubmitted(ObjectiveSubmitted(
            objectiveID: "obj-9", title: "t", description: "", playbook: "single-task", submittedBy: "alice")))
        XCTAssertFalse(DerivedID.hasDerivedForm(root.id))
        XCTAssertNil(DerivedID.mismatch(root, signedByRole: "meshctl"))
        var squatting = root
        squatting.id = DerivedID.make(causeID: "some-assignment", role: "coding", output: "result")
        XCTAssertTrue(DerivedID.hasDerivedForm(squatting.id))
        XCTAssertNotNil(DerivedID.mismatch(squatting, signedByRole: "meshctl"),
                        "an objective carrying the id of a future result is refused")
    }
}
