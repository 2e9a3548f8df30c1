import MeshOrchestration
import MeshSigning
import MeshWire
import XCTest

final class ApprovalTests: XCTestCase {
    /// Runs the approval playbook up to the approval request.
    func awaitingApproval() -> (Harness, ApprovalRequested) {
        let h = Harness()
        h.submit("approval")
        let outputs = h.pass("change", agent: "coding-3")
        return (h, outputs.approvalRequests[0])
    }

    func testHumanVerdictRequestsApprovalBoundToTheResultBytes() throws {
        let h = Harness()
        h.submit("approval")
        h.result("change", agent: "coding-3")
        let resultEvent = h.events.last!
        h.verdict("change", .review, .approve)
        let verdictEvent: Envelope
        let outputs = h.verdict("change", .compliance, .approve)
        verdictEvent = h.events.last!
        XCTAssertEqual(outputs.kinds, [.approvalRequested, .planStatus])
        XCTAssertEqual(outputs[0].destination, .approvals)
        let request = try XCTUnwrap(outputs.approvalRequests.first)
        XCTAssertEqual(request.taskID, "change")
        XCTAssertEqual(request.attempt, 1)
        XCTAssertEqual(request.resultEnvelopeID, resultEvent.id)
        XCTAssertEqual(request.authorID, "coding-3")
        XCTAssertEqual(request.deadlineUnixMicros, verdictEvent.timeUnixMicros + 2 * 3_600_000_000)
        XCTAssertEqual(request.resultSHA256, SHA256Digest.hash(try EnvelopeCodec().encode(resultEvent)),
                       "unstamped: SHA-256 of the canonical encoding")
        XCTAssertEqual(outputs[0].envelope.subject, request.approvalID)
        XCTAssertTrue(request.reason.contains("human verdict"))
        XCTAssertEqual(h.task("change").state, .inputRequired)
        XCTAssertEqual(h.plan.pendingApprovals.map(\.approvalID), [request.approvalID])
    }

    func testStampedDigestIsUsed() throws {
        let h = Harness()
        h.submit("approval")
        let wireBytes = Array("exact bytes as received".utf8)
        var result = Envelope(id: "result-1", source: "/mesh/agent/coding-3", correlationID: h.correlationID,
                              payload: .taskResult(TaskResult(taskID: "change", planID: h.planID, state: .completed, agentID: "coding-3")))
        result.attributes = h.task("change").spec.classification.attributes
            + [Attribute(ResultDigest.attributeKey, String(repeating: "0", count: 64))]  // forged by the producer
        h.apply(ResultDigest.stamp(result, exactBytes: wireBytes))
        h.verdict("change", .review, .approve, resultID: "result-1")
        let request = try XCTUnwrap(h.verdict("change", .compliance, .approve, resultID: "result-1").approvalRequests.first)
        XCTAssertEqual(request.resultSHA256, SHA256Digest.hash(wireBytes))
    }

    func testApprovalRequiredByRiskClass() throws {
        let h = Harness()
        h.submit("feature")
        h.pass("discover")
        let outputs = h.pass("implement")
        let request = try XCTUnwrap(outputs.approvalRequests.first)
        XCTAssertTrue(request.reason.contains("risk class RISK_CLASS_HIGH reaches the approval threshold RISK_CLASS_HIGH"),
                      request.reason)
        XCTAssertEqual(request.deadlineUnixMicros, h.events.last!.timeUnixMicros + 8 * 3_600_000_000)
    }

    func testNoApprovalBelowTheThresholds() {
        let h = Harness()
        h.submit("feature")
        h.pass("discover")
        h.pass("document")
        XCTAssertEqual(h.task("document").state, .completed)
        XCTAssertTrue(h.outputs.approvalRequests.isEmpty)
    }

    func testApprovalRequiredByFindingSeverityOnAnEarlierAttempt() throws {
        let yaml = """
        playbook: severity
        version: 1
        tasks:
          - id: code
            role: coding
            instructions: x
            risk: low
            approval:
              when_finding_at_least: high
              deadline: 1h
        """
        let h = Harness(library: try library(yaml))
        h.submit("severity")
        h.result("code")
        let leak = Finding(ruleID: "secrets.aws-key", severity: .high, message: "AWS key in source")
        h.verdict("code", .review, .approve)
        h.verdict("code", .compliance, .requestChanges, findings: [leak])
        XCTAssertEqual(h.task("code").attempt, 2)
        // Attempt 2 is clean, but a high finding was raised on this task before.
        let outputs = h.pass("code")
        let request = try XCTUnwrap(outputs.approvalRequests.first)
        XCTAssertTrue(request.reason.contains("finding secrets.aws-key (SEVERITY_HIGH)"), request.reason)
        XCTAssertTrue(request.reason.contains("attempt 1"), request.reason)
        XCTAssertEqual(request.attempt, 2)
    }

    func testFindingBelowTheSeverityThresholdNeedsNoApproval() throws {
        let h = Harness()
        h.submit("feature")
        h.pass("discover")
        h.pass("implement")
        h.decide(.approve)
        h.result("test")
        // feature.yaml: test asks for approval only from critical findings.
        h.verdict("test", .review, .approve, findings: [Finding(ruleID: "r", severity: .high, message: "m")])
        h.verdict("test", .compliance, .approve)
        XCTAssertEqual(h.task("test").state, .completed)
        XCTAssertEqual(h.outputs.approvalRequests.map(\.taskID), ["implement"])
    }

    func testApprovalGranted() throws {
        let (h, _) = awaitingApproval()
        let outputs = h.decide(.approve, signer: "dr.bob")
        XCTAssertEqual(h.task("change").state, .completed)
        XCTAssertNotNil(outputs.completed)
        XCTAssertEqual(h.plan.approvals[0].status, .approved)
        XCTAssertEqual(h.plan.approvals[0].decidedBy, "dr.bob")
    }

    func testApprovalDenied() throws {
        let (h, request) = awaitingApproval()
        let outputs = h.decide(.reject, signer: "dr.bob")
        let failed = try XCTUnwrap(outputs.failed)
        XCTAssertEqual(failed.finalState, .rejected)
        XCTAssertEqual(failed.failedTaskID, "change")
        XCTAssertTrue(failed.reason.contains("approval \(request.approvalID) rejected by dr.bob: checked"), failed.reason)
        XCTAssertEqual(h.task("change").state, .rejected)
        XCTAssertEqual(h.plan.approvals[0].status, .rejected)
    }

    func testApprovalExpiresThroughAPublishedDecision() throws {
        let (h, request) = awaitingApproval()
        XCTAssertTrue(Orchestrator.expiredApprovals(h.state, nowMicros: request.deadlineUnixMicros - 1).isEmpty)
        let expiry = Orchestrator.expiredApprovals(h.state, nowMicros: request.deadlineUnixMicros + 5_000_000)
        XCTAssertEqual(expiry.count, 1)
        XCTAssertEqual(expiry[0].destination, .approvals)
        XCTAssertEqual(expiry, Orchestrator.expiredApprovals(h.state, nowMicros: request.deadlineUnixMicros + 9_000_000),
                       "the same decision whenever the timer fires")
        guard case .approvalDecision(let decision) = expiry[0].envelope.payload else { return XCTFail("not a decision") }
        XCTAssertEqual(decision.decision, .reject)
        XCTAssertEqual(decision.signerID, "system:deadline")
        XCTAssertEqual(decision.meaning, "expired")
        XCTAssertEqual(decision.resultSHA256, request.resultSHA256)
        XCTAssertNil(decision.signature)
        XCTAssertEqual(h.task("change").state, .inputRequired, "nothing changes until the decision is consumed")

        let outputs = h.apply(expiry[0].envelope)
        let failed = try XCTUnwrap(outputs.failed)
        XCTAssertEqual(failed.finalState, .rejected)
        XCTAssertTrue(failed.reason.contains("expired without a decision"), failed.reason)
        XCTAssertEqual(h.plan.approvals[0].status, .expired)
        XCTAssertTrue(Orchestrator.expiredApprovals(h.state, nowMicros: .max).isEmpty)
    }

    func testReplayJustifiesAnExpiryThatWasStampedOnReceipt() {
        let (h, request) = awaitingApproval()
        let expiry = Orchestrator.expiredApprovals(h.state, nowMicros: request.deadlineUnixMicros + 1)[0].envelope
        // The runtime stamps every consumed envelope with the digest of its exact bytes.
        let stamped = ResultDigest.stamp(expiry, exactBytes: [1, 2, 3])
        let (_, outputs) = h.orchestrator.handle(h.state, stamped)
        let report = h.orchestrator.compare(events: [stamped], recorded: outputs.map(\.envelope), from: h.state)
        XCTAssertNil(report.divergence, "\(String(describing: report.divergence))")
    }

    func testForgedOrEarlyExpiryIsIgnored() {
        let (h, request) = awaitingApproval()
        let early = h.decide(.reject, signer: "system:deadline", signed: false)
        XCTAssertTrue(early.statuses[0].detail.contains("only the orchestrator may expire"), early.statuses[0].detail)
        var expiry = Orchestrator.expiredApprovals(h.state, nowMicros: request.deadlineUnixMicros)[0].envelope
        expiry.id = "early-expiry"
        expiry.timeUnixMicros = request.deadlineUnixMicros - 1
        if case .approvalDecision(var decision) = expiry.payload {
            decision.signedAtUnixMicros = request.deadlineUnixMicros - 1
            expiry.payload = .approvalDecision(decision)
        }
        XCTAssertTrue(h.apply(expiry).statuses[0].detail.contains("deadline has not passed"))
        XCTAssertEqual(h.task("change").state, .inputRequired)
    }

    func testSeparationOfDutiesViolationIsIgnored() {
        let (h, _) = awaitingApproval()
        let outputs = h.decide(.approve, signer: "coding-3")
        XCTAssertEqual(outputs.kinds, [.planStatus])
        XCTAssertTrue(outputs.statuses[0].detail.contains("separation of duties: coding-3 authored the result"),
                      outputs.statuses[0].detail)
        XCTAssertEqual(h.task("change").state, .inputRequired)
        XCTAssertEqual(h.plan.approvals[0].status, .pending)
        XCTAssertNotNil(h.decide(.approve, signer: "dr.bob").completed, "a different person can still approve")
    }

    func testWrongResultHashIsIgnored() {
        let (h, _) = awaitingApproval()
        let outputs = h.decide(.approve, signer: "dr.bob", sha: Array(repeating: 7, count: 32))
        XCTAssertTrue(outputs.statuses[0].detail.contains("signs result hash 0707"), outputs.statuses[0].detail)
        XCTAssertEqual(h.task("change").state, .inputRequired)
    }

    func testUnsignedUnknownAndRepeatedDecisionsAreIgnored() {
        let (h, _) = awaitingApproval()
        XCTAssertTrue(h.decide(.approve, signed: false).statuses[0].detail.contains("no e-signature"))
        XCTAssertTrue(h.decide(.approve, approvalID: "nope").statuses[0].detail.contains("unknown approval nope"))
        XCTAssertTrue(h.decide(.requestChanges).statuses[0].detail.contains("neither approve nor reject"))
        XCTAssertEqual(h.task("change").state, .inputRequired)
        XCTAssertNotNil(h.decide(.approve).completed)
    }

    func testApprovalOnAPlanThatContinues() {
        // A decided approval cannot be decided again (the plan continues after it).
        let h = Harness()
        h.submit("feature")
        h.pass("discover")
        h.pass("implement")
        h.decide(.approve)
        let again = h.decide(.reject)
        XCTAssertTrue(again.statuses[0].detail.contains("already approved"), again.statuses[0].detail)
        XCTAssertEqual(h.task("implement").state, .completed)
    }
}
