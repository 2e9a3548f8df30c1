import Foundation
import MeshKafka
import MeshOrchestration
import MeshSigning
import MeshTestSupport
import MeshTransport
import MeshWire
import XCTest

final class MeshApprovalAndScalingTests: XCTestCase {
    var mesh: MeshHarness!

    override func tearDown() async throws {
        mesh?.shutdown()
    }

    func testApprovalsAreGrantedDeniedExpiredAndForgeriesRefused() async throws {
        let playbooks = try TemporaryDirectory("playbooks")
        try FileManager.default.copyItem(
            at: MeshHarness.root.appendingPathComponent("Playbooks/approval.yaml"),
            to: playbooks.url.appendingPathComponent("approval.yaml"))
        try MeshLifecycleTests.testPlaybooks["approval-fast"]!.write(
            to: playbooks.url.appendingPathComponent("approval-fast.yaml"), atomically: true, encoding: .utf8)
        mesh = try await MeshHarness(playbooks: playbooks.path)
        try mesh.startStandardMesh(agentRoles: ["coding"])

        let granted = try await mesh.submit(playbook: "approval", title: "Granted")
        let denied = try await mesh.submit(playbook: "approval", title: "Denied")
        let expires = try await mesh.submit(playbook: "approval-fast", title: "Nobody answers")
        let forged = try await mesh.submit(playbook: "approval", title: "Forged")

        let grantRequest = try await mesh.first(granted) { $0.approvalRequest != nil }
        let request = try XCTUnwrap(grantRequest.approvalRequest)
        XCTAssertEqual(request.resultSHA256.count, 32, "the approval binds to the exact result bytes")
        XCTAssertFalse(request.authorID.isEmpty)
        try await mesh.decide(grantRequest, as: "alice", .approve)
        let grantedOutcome = try await mesh.outcome(granted)
        XCTAssertNotNil(grantedOutcome.completion, grantedOutcome.failure?.reason ?? grantedOutcome.type)

        let denyRequest = try await mesh.first(denied) { $0.approvalRequest != nil }
        try await mesh.decide(denyRequest, as: "bob", .reject, meaning: "rejected")
        let deniedOutcome = try await mesh.outcome(denied)
        XCTAssertEqual(deniedOutcome.failure?.finalState, .rejected, deniedOutcome.failure?.reason ?? deniedOutcome.type)

        // The deadline (4 s) passes: the orchestrator records the expiry as a decision.
        let expired = try await mesh.outcome(expires, timeout: .seconds(60))
        XCTAssertNotNil(expired.failure, expired.type)
        let expiry = await mesh.envelopes(expires).first {
            if case .approvalDecision(let decision) = $0.payload { return decision.signerID == Orchestrator.deadlineSigner }
            return false
        }
        XCTAssertNotNil(expiry, "the expiry is a recorded decision, so replay reproduces it")

        // A decision whose manifest signature was made for another result is refused and
        // dead-lettered; the approval stays pending.
        let forgedRequest = try await mesh.first(forged) { $0.approvalRequest != nil }
        guard case .approvalRequested(let asked) = forgedRequest.payload else { return XCTFail() }
        var decision = ApprovalManifest.sign(
            ApprovalDecision(approvalID: asked.approvalID, decision: .approve, signerID: "alice", printedName: "Alice",
                             meaning: "approved", signedAtUnixMicros: 1, resultSHA256: [UInt8](repeating: 0, count: 32)),
            with: try KeyRingStore.loadSigner(principal: "alice", from: mesh.keys))
        decision.resultSHA256 = asked.resultSHA256  // moved onto this record after signing
        let forgery = Envelope(causedBy: forgedRequest, source: "/mesh/approver/alice", payload: .approvalDecision(decision))
        try await mesh.publish(forgery, to: "mesh.approvals", as: "alice")
        // Seen twice: on mesh.approvals, then its copy on the dead-letter topic.
        try await eventually("the forged decision is dead-lettered") {
            await mesh.envelopes(forged).filter { $0.id == forgery.id }.count == 2
        }
        try await Task.sleep(for: .seconds(2))
        let forgedFinal = await mesh.envelopes(forged).first { $0.completion != nil || $0.failure != nil }
        XCTAssertNil(forgedFinal, "a forged approval decides nothing")
    }

    /// IEC 62304 class C work, classified in the playbook: the classification travels on the
    /// assignment and back on the result; compliance rejects untraced work and makes traced
    /// work wait for a person's e-signature, which the orchestrator then requests.
    func testSafetyClassCWorkIsTracedAndAcceptedOnlyWithAnESignature() async throws {
        let playbooks = try TemporaryDirectory("playbooks")
        try """
            playbook: device
            version: 1
            tasks:
              - id: dose
                role: coding
                instructions: "{{title}} {{description}}"
                verdicts: [review, compliance]
                safety_class: C
            """.write(to: playbooks.url.appendingPathComponent("device.yaml"), atomically: true, encoding: .utf8)
        mesh = try await MeshHarness(playbooks: playbooks.path)
        try mesh.startStandardMesh(agentRoles: ["coding"])

        let untraced = try await mesh.submit(playbook: "device", title: "Change the dose limit", description: "No ids.")
        let traced = try await mesh.submit(
            playbook: "device", title: "Change the dose limit", description: "[example:requirements=SRS-101,SRS-102]")

        let rejected = try await mesh.outcome(untraced)
        let failure = try XCTUnwrap(rejected.failure, rejected.type)
        XCTAssertEqual(failure.finalState, .rejected)
        XCTAssertTrue(failure.reason.contains("iec62304-trace-class-c"), failure.reason)
        let untracedEnvelopes = await mesh.envelopes(untraced)
        let classified = [Attribute("agentmesh.risk_class", "medium"), Attribute("agentmesh.safety_class", "C")]
        XCTAssertEqual(untracedEnvelopes.first { $0.assignment != nil }?.attributes, classified)
        let result = try XCTUnwrap(untracedEnvelopes.first { $0.result != nil })
        XCTAssertEqual(TaskClassification(attributes: result.attributes), TaskClassification(riskClass: .medium, safetyClass: .c),
                       "the agent copies its assignment's classification onto the result")
        XCTAssertNil(result.attributes[key: "requirement_ids"])

        let request = try await mesh.first(traced) { $0.approvalRequest != nil }
        XCTAssertTrue(request.approvalRequest!.reason.contains("iec62304-human-approval-class-c"), request.approvalRequest!.reason)
        let tracedEnvelopes = await mesh.envelopes(traced)
        XCTAssertEqual(tracedEnvelopes.first { $0.result != nil }?.attributes[key: "requirement_ids"], "SRS-101,SRS-102")
        let compliance = try XCTUnwrap(tracedEnvelopes.compactMap(\.verdict).first { $0.kind == .compliance })
        XCTAssertEqual(compliance.decision, .approve)
        XCTAssertEqual(compliance.approvalRequiredBy, ["iec62304-human-approval-class-c"])
        try await mesh.decide(request, as: "alice", .approve)
        let done = try await mesh.outcome(traced)
        XCTAssertNotNil(done.completion, done.failure?.reason ?? done.type)
    }

    func testThreeReviewersShareTheLoadAndJudgeEachResultOnce() async throws {
        mesh = try await MeshHarness()
        try mesh.start("orchestrator-1", "mesh-orchestrator")
        try mesh.start("coding-1", "mesh-agent", ["--role", "coding"])
        try mesh.start("compliance-1", "mesh-compliance")
        for index in 1...3 { try mesh.start("reviewer-\(index)", "mesh-reviewer") }
        try await Task.sleep(for: .seconds(5))  // let the three reviewers join one group

        var objectives: [String] = []
        for index in 0..<24 { objectives.append(try await mesh.submit(playbook: "single-task", title: "Change \(index)")) }
        for objective in objectives {
            let outcome = try await mesh.outcome(objective, timeout: .seconds(90))
            XCTAssertNotNil(outcome.completion, outcome.failure?.reason ?? outcome.type)
        }
        let reviews = await mesh.observed.values.compactMap(\.verdict).filter { $0.kind == .review }
        let perResult = Dictionary(grouping: reviews, by: \.resultEnvelopeID)
        XCTAssertEqual(perResult.count, 24, "every result was reviewed")
        XCTAssertTrue(perResult.values.allSatisfy { $0.count == 1 }, "and reviewed exactly once")
        // Verdicts name the role, not the instance (a re-judged result yields the same bytes),
        // so each instance's share is read from its own /metrics.
        for index in 1...3 {
            let processed = try await mesh.processed("reviewer-\(index)", topic: "mesh.results")
            XCTAssertGreaterThan(processed, 0, "reviewer-\(index) took a share")
        }
    }

    func testAPlanCompletesAfterItsOrchestratorAndAgentAreKilledMidPlan() async throws {
        mesh = try await MeshHarness()
        try mesh.startStandardMesh()
        let objective = try await mesh.submit(playbook: "feature", title: "Survives crashes")
        // Kill both once the plan is under way.
        _ = try await mesh.first(objective) { $0.assignment?.taskID == "implement" }
        mesh.kill("orchestrator-1")
        mesh.kill("coding-1")
        try await Task.sleep(for: .seconds(1))
        try mesh.start("orchestrator-2", "mesh-orchestrator")
        try mesh.start("coding-2", "mesh-agent", ["--role", "coding"])
        let request = try await mesh.first(objective, timeout: .seconds(90)) { $0.approvalRequest != nil }
        try await mesh.decide(request, as: "alice", .approve)
        let outcome = try await mesh.outcome(objective, timeout: .seconds(120))
        XCTAssertNotNil(outcome.completion, outcome.failure?.reason ?? outcome.type)
        XCTAssertEqual(mesh.roles["orchestrator-2"]?.isRunning, true)
    }
}
