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
        XCTAssertEqual(Set(reviews.map(\.reviewerID)), ["reviewer-1", "reviewer-2", "reviewer-3"], "all three took a share")
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
