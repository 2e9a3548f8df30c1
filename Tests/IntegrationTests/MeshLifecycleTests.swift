import Foundation
import MeshTestSupport
import MeshWire
import XCTest

/// The agent roles end to end: real executables (orchestrator, six agents, reviewer,
/// compliance) on the embedded broker, several objectives in flight at once.
final class MeshLifecycleTests: XCTestCase {
    var mesh: MeshHarness!

    override func setUp() async throws {
        let playbooks = try TemporaryDirectory("playbooks")
        let shipped = MeshHarness.root.appendingPathComponent("Playbooks")
        for file in try FileManager.default.contentsOfDirectory(atPath: shipped.path) where file.hasSuffix(".yaml") {
            try FileManager.default.copyItem(
                at: shipped.appendingPathComponent(file), to: playbooks.url.appendingPathComponent(file))
        }
        try Self.testPlaybooks.forEach { name, text in
            try text.write(to: playbooks.url.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
        }
        mesh = try await MeshHarness(playbooks: playbooks.path)
    }

    override func tearDown() async throws {
        mesh?.shutdown()
    }

    static let testPlaybooks = [
        "approval-fast": """
            playbook: approval-fast
            version: 1
            tasks:
              - id: change
                role: coding
                instructions: "{{title}}"
                verdicts: [review, compliance, human]
                risk: high
                approval: {deadline: 4s}
            """,
        "ux-secret": """
            playbook: ux-secret
            version: 1
            tasks:
              - id: screen
                role: ux
                instructions: "{{title}}"
                verdicts: [review, compliance]
                max_attempts: 3
            """,
    ]

    /// A Python handler (the external-command contract) whose output leaks a live-looking
    /// AWS key: compliance must reject it at once.
    static let leakyHandler = """
        import json, sys
        task = json.load(sys.stdin)
        print(json.dumps({"summary": "screen built", "artifacts": [
            {"name": "ui/screen.md", "media_type": "text/markdown",
             "content": "config: aws_access_key_id = AKIAZ7VRSQ5TJN2XK4PA\\n"}]}))
        """

    func testObjectivesCompleteReworkEscalateRejectCancelAndRunInParallelAndInOrder() async throws {
        let script = mesh.workspace.url.appendingPathComponent("leaky.py")
        try Self.leakyHandler.write(to: script, atomically: true, encoding: .utf8)
        try mesh.start("orchestrator-1", "mesh-orchestrator")
        for role in ["coding", "testing", "security", "documentation", "discovery"] {
            try mesh.start("\(role)-1", "mesh-agent", ["--role", role])
        }
        try mesh.start("ux-1", "mesh-agent", ["--role", "ux", "--handler", "command", "--command", "python3 \(script.path)"])
        try mesh.start("reviewer-1", "mesh-reviewer")
        try mesh.start("compliance-1", "mesh-compliance")

        let plain = try await mesh.submit(playbook: "single-task", title: "Add allergy banner")
        let rework = try await mesh.submit(playbook: "single-task", title: "Show MRN", description: "[example:phi-on-first-attempt]")
        let escalate = try await mesh.submit(playbook: "single-task", title: "Refactor", description: "[example:reject-marker]")
        let reject = try await mesh.submit(playbook: "ux-secret", title: "Settings screen")
        let cancel = try await mesh.submit(playbook: "single-task", title: "Slow work", description: "[example:sleep=20s]")
        let feature = try await mesh.submit(playbook: "feature", title: "Allergy banner")

        // Cancel while the task is running (it sleeps 20 s).
        _ = try await mesh.first(cancel) { $0.assignment != nil }
        try await mesh.cancel(cancel)
        let canceled = try await mesh.outcome(cancel)
        XCTAssertEqual(canceled.failure?.finalState, .canceled, "\(canceled.type)")
        let slowResult = await mesh.envelopes(cancel).first { $0.result != nil }
        XCTAssertNil(slowResult, "canceled before the slow result arrived")

        // Full lifecycle.
        let completed = try await mesh.outcome(plain)
        XCTAssertNotNil(completed.completion, "\(completed.failure?.reason ?? completed.type)")
        XCTAssertFalse(completed.completion?.artifacts.isEmpty ?? true)
        let plainVerdicts = await mesh.envelopes(plain).compactMap(\.verdict)
        XCTAssertEqual(Set(plainVerdicts.map(\.kind)), [.review, .compliance])
        XCTAssertTrue(plainVerdicts.allSatisfy { $0.decision == .approve })
        XCTAssertTrue(plainVerdicts.allSatisfy { !$0.policyBundleHash.isEmpty }, "every verdict names its rules or policy hash")

        // Rework: the first attempt leaks an SSN, compliance asks for changes, the finding is
        // fed back, the second attempt passes.
        let reworked = try await mesh.outcome(rework)
        XCTAssertNotNil(reworked.completion, "\(reworked.failure?.reason ?? reworked.type)")
        let reworkEnvelopes = await mesh.envelopes(rework)
        let firstCompliance = try XCTUnwrap(reworkEnvelopes.compactMap(\.verdict).first { $0.kind == .compliance && $0.attempt == 1 })
        XCTAssertEqual(firstCompliance.decision, .requestChanges)
        XCTAssertTrue(firstCompliance.findings.contains { $0.ruleID == "hipaa-ssn" }, "\(firstCompliance.findings)")
        XCTAssertFalse(firstCompliance.findings.contains { $0.message.contains("512-38-7046") }, "findings mask the SSN")
        let second = try XCTUnwrap(reworkEnvelopes.compactMap(\.assignment).first { $0.attempt == 2 })
        XCTAssertTrue(second.feedback.contains { $0.ruleID == "hipaa-ssn" }, "the finding is delivered as feedback")

        // Escalation after the attempt budget.
        let escalated = try await mesh.outcome(escalate)
        let escalation = try XCTUnwrap(escalated.failure, escalated.type)
        XCTAssertTrue(escalation.reason.contains("attempt"), escalation.reason)
        let escalatedAttempts = await mesh.envelopes(escalate).compactMap(\.assignment).count
        XCTAssertEqual(escalatedAttempts, 3)

        // Reject fails the task at once (no second attempt).
        let rejected = try await mesh.outcome(reject)
        XCTAssertEqual(rejected.failure?.finalState, .rejected, rejected.failure?.reason ?? rejected.type)
        let rejectedAttempts = await mesh.envelopes(reject).compactMap(\.assignment).count
        XCTAssertEqual(rejectedAttempts, 1)

        // Parallel and dependent tasks; the high-risk implementation needs alice's approval.
        let request = try await mesh.first(feature, timeout: .seconds(90)) { $0.approvalRequest != nil }
        try await mesh.decide(request, as: "alice", .approve)
        let featureDone = try await mesh.outcome(feature, timeout: .seconds(90))
        XCTAssertNotNil(featureDone.completion, featureDone.failure?.reason ?? featureDone.type)
        let assignments = await mesh.envelopes(feature).filter { $0.assignment != nil }
        let byTask = Dictionary(grouping: assignments) { $0.assignment!.taskID }
        let implement = try XCTUnwrap(byTask["implement"]?.first)
        let document = try XCTUnwrap(byTask["document"]?.first)
        XCTAssertEqual(implement.causationID, document.causationID, "implement and document start together, in parallel")
        XCTAssertFalse(implement.assignment!.inputs.isEmpty, "dependents receive the accepted artifacts of their dependencies")
        let secure = try XCTUnwrap(byTask["secure"]?.first?.assignment)
        XCTAssertTrue(Set(secure.inputs.map(\.name)).count >= 2, "secure gets the artifacts of test and document")
    }
}
