import MeshOrchestration
import MeshWire
import XCTest

/// A task's classification (risk class, IEC 62304 safety class) travels with its work, and a
/// verdict can make acceptance wait for a human e-signature.
final class ClassificationTests: XCTestCase {
    static let classC = """
        playbook: device
        version: 1
        tasks:
          - id: dose
            role: coding
            instructions: Change the dose calculation
            verdicts: [review, compliance]
            max_attempts: 2
            risk: medium
            safety_class: C
        """

    func harness() throws -> Harness {
        let playbook = try PlaybookLibrary.parse(yaml: Self.classC, file: "Playbooks/device.yaml", agentRoles: shippedAgentRoles)
        let h = Harness(library: PlaybookLibrary([playbook]))
        h.submit("device")
        return h
    }

    func testThePlanAndEveryAssignmentCarryTheClassification() throws {
        let h = try harness()
        let created = try XCTUnwrap(h.outputs.created)
        XCTAssertEqual(created.tasks.map(\.safetyClass), [.c])
        XCTAssertEqual(created.tasks.map(\.riskClass), [.medium])
        let assignment = try XCTUnwrap(h.outputs.lazy.map(\.envelope).first { $0.payload.kind == .taskAssigned })
        XCTAssertEqual(assignment.attributes, [
            Attribute("agentmesh.risk_class", "medium"), Attribute("agentmesh.safety_class", "C"),
        ])
        XCTAssertEqual(TaskClassification(attributes: assignment.attributes), h.task("dose").spec.classification)
    }

    func testEveryAssignmentCarriesThePlaybookTasksModelBudget() throws {
        let budgeted = Self.classC + "\n    model_budget: {max_tokens: 900, max_cost: 0.02}"
        let h = Harness(library: PlaybookLibrary([try PlaybookLibrary.parse(yaml: budgeted, file: "Playbooks/device.yaml", agentRoles: shippedAgentRoles)]))
        h.submit("device")
        let assignment = try XCTUnwrap(h.outputs.lazy.map(\.envelope).first { $0.payload.kind == .taskAssigned })
        XCTAssertEqual(assignment.attributes, [
            Attribute("agentmesh.risk_class", "medium"), Attribute("agentmesh.safety_class", "C"),
            Attribute("agentmesh.model_budget.max_cost", "0.02"), Attribute("agentmesh.model_budget.max_tokens", "900"),
        ])
        XCTAssertEqual(TaskModelBudget(attributes: assignment.attributes), TaskModelBudget(maxTokens: 900, maxCost: 0.02))
        // The rework assignment carries it again.
        let rework = h.result("dose", classification: TaskClassification(riskClass: .medium))
        XCTAssertEqual(rework.assignments.first?.attempt, 2)
        let second = try XCTUnwrap(h.outputs.lazy.map(\.envelope).last { $0.payload.kind == .taskAssigned })
        XCTAssertEqual(TaskModelBudget(attributes: second.attributes), TaskModelBudget(maxTokens: 900, maxCost: 0.02))
    }

    func testAResultWithAnotherClassificationIsNotJudgedButReworked() throws {
        let h = try harness()
        let stripped = h.result("dose", classification: TaskClassification(riskClass: .medium))
        let rework = try XCTUnwrap(stripped.assignments.first)
        XCTAssertEqual(rework.attempt, 2)
        let feedback = try XCTUnwrap(rework.feedback.first)
        XCTAssertEqual(feedback.ruleID, "orchestrator.classification-mismatch")
        XCTAssertEqual(feedback.severity, .high)
        XCTAssertTrue(feedback.message.contains("carries risk medium, safety class unspecified, the plan assigned "
                                                + "risk medium, safety class C"), feedback.message)
        XCTAssertNil(h.task("dose").result, "the mismatching result is not recorded for judgement")

        // The budget is spent by a second mismatch: the plan fails, naming the reason.
        let downgraded = h.result("dose", classification: TaskClassification(riskClass: .low, safetyClass: .c))
        let failed = try XCTUnwrap(downgraded.failed)
        XCTAssertTrue(failed.reason.contains("orchestrator.classification-mismatch"), failed.reason)
    }

    /// A task an earlier build assigned, restored mid-attempt: its result comes back
    /// unclassified through no fault of the agent, and is judged; the next assignment of the
    /// task carries the classification again.
    func testAnAttemptAssignedWithoutClassificationIsJudgedAsItComes() throws {
        let h = try harness()
        XCTAssertTrue(h.task("dose").assignmentClassified)
        var restored = h.plan
        restored.tasks[0].assignmentClassified = false
        h.state.update(restored, at: h.clock)
        h.result("dose", classification: TaskClassification(riskClass: .unspecified))
        XCTAssertNotNil(h.task("dose").result, "recorded for judgement")
        let rework = h.verdict("dose", .review, .requestChanges) + h.verdict("dose", .compliance, .approve)
        XCTAssertEqual(rework.assignments.first?.attempt, 2)
        XCTAssertTrue(h.task("dose").assignmentClassified)
    }

    func testAFailedRunNeedsNoClassification() throws {
        let h = try harness()
        let outputs = h.result("dose", failed: "handler crashed", classification: TaskClassification(riskClass: .unspecified))
        XCTAssertEqual(outputs.assignments.first?.feedback.first?.ruleID, "orchestrator.attempt-failed")
    }

    func testAVerdictRequiringAnESignatureAsksForApprovalWithoutAnApprovalPolicy() throws {
        let h = try harness()
        XCTAssertNil(h.task("dose").spec.approval)
        h.result("dose")
        h.verdict("dose", .compliance, .approve, approvalRequiredBy: ["iec62304-human-approval-class-c"])
        XCTAssertEqual(h.task("dose").state, .working, "still waiting for the review verdict")
        let outputs = h.verdict("dose", .review, .approve)
        let request = try XCTUnwrap(outputs.approvalRequests.first)
        XCTAssertTrue(request.reason.contains("VERDICT_KIND_COMPLIANCE verdict of VERDICT_KIND_COMPLIANCE-bot accepts the "
                                              + "result only with a human e-signature (rules iec62304-human-approval-class-c)"),
                      request.reason)
        XCTAssertEqual(request.deadlineUnixMicros - h.clock, ApprovalPolicy.defaultDeadlineMicros)
        XCTAssertEqual(h.task("dose").state, .inputRequired)
        XCTAssertNotNil(h.decide(.approve).completed)
    }

    func testWithoutSuchAVerdictTheResultIsAcceptedDirectly() throws {
        let h = try harness()
        XCTAssertNotNil(h.pass("dose").completed)
    }

    func testSafetyClassesAreParsedAndCheckedWithFileLineAndField() throws {
        XCTAssertEqual(try PlaybookLibrary.parse(yaml: Self.classC, file: "p.yaml", agentRoles: shippedAgentRoles).tasks[0].safetyClass, .c)
        XCTAssertEqual(shippedLibrary["single-task"]?.tasks[0].safetyClass, .unspecified)

        let unknown = issues(Self.classC.replacingOccurrences(of: "safety_class: C", with: "safety_class: D"))
        XCTAssertEqual(unknown.first?.field, "safety_class")
        XCTAssertEqual(unknown.first?.line, 10)
        XCTAssertTrue(unknown.first?.message.contains("unknown value \"D\"") ?? false, unknown.description)

        let unjudged = issues(Self.classC.replacingOccurrences(of: "verdicts: [review, compliance]", with: "verdicts: [review]"))
        XCTAssertEqual(unjudged.first?.field, "safety_class")
        XCTAssertTrue(unjudged.first?.message.contains("needs `compliance` in verdicts") ?? false, unjudged.description)
    }
}
