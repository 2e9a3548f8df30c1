import MeshOrchestration
import MeshSigning
import MeshWire
import XCTest

final class LifecycleTests: XCTestCase {
    func testSingleTaskFullLifecycle() throws {
        let h = Harness()
        let created = h.submit("single-task", title: "Fix typo")
        XCTAssertEqual(created.kinds, [.planCreated, .taskAssigned, .planStatus])
        let plan = try XCTUnwrap(created.created)
        XCTAssertEqual(plan.playbook, "single-task")
        XCTAssertEqual(plan.playbookHash, shippedLibrary["single-task"]?.hash)
        XCTAssertEqual(plan.tasks.map(\.taskID), ["code"])
        XCTAssertEqual(plan.tasks[0].requiredVerdicts, [.review, .compliance])
        let assigned = try XCTUnwrap(created.assignments.first)
        XCTAssertEqual(created[1].destination, .tasks(.coding))
        XCTAssertEqual(created[1].destination.topic(in: shippedCatalog), "mesh.tasks.coding")
        XCTAssertEqual(assigned.attempt, 1)
        XCTAssertEqual(assigned.planID, h.planID)
        XCTAssertTrue(assigned.instructions.hasPrefix("Fix typo\nShow allergies"), assigned.instructions)
        XCTAssertEqual(h.task("code").state, .working)

        // A result or verdict that leaves every task in its state publishes no status of its own.
        let afterResult = h.result("code")
        XCTAssertEqual(afterResult.kinds, [])
        XCTAssertEqual(h.task("code").state, .working)
        XCTAssertEqual(h.verdict("code", .review, .approve).kinds, [])
        XCTAssertEqual(h.task("code").state, .working, "still waiting for compliance")

        let done = h.verdict("code", .compliance, .approve)
        XCTAssertEqual(done.kinds, [.planStatus, .planCompleted])
        XCTAssertEqual(h.task("code").state, .completed)
        XCTAssertEqual(done.statuses.first?.tasks.map(\.state), [.completed])
        // ...but its progress line is in the next status the plan publishes.
        let detail = done.statuses.first?.detail ?? ""
        XCTAssertTrue(detail.contains("from \(VerdictKind.compliance.protoName)-bot") && detail.contains("code: accepted on attempt 1"), detail)
        let completed = try XCTUnwrap(done.completed)
        XCTAssertEqual(completed.artifacts.map(\.name), ["code.txt"])
        XCTAssertTrue(completed.summary.contains("code accepted on attempt 1"))
        XCTAssertEqual(h.plan.outcome?.state, .completed)
    }

    func testOutputEnvelopeConventions() throws {
        let h = Harness()
        let outputs = h.submit("single-task")
        let event = h.events[0]
        for output in outputs {
            XCTAssertEqual(output.envelope.source, "/mesh/orchestrator")
            XCTAssertEqual(output.envelope.correlationID, event.correlationID)
            XCTAssertEqual(output.envelope.causationID, event.id)
            // The cause's trace, and a span of the output's own (`TraceContext`).
            XCTAssertEqual(output.envelope.traceparent, TraceContext.traceparent(ofOutput: output.envelope.id, causedBy: event))
            XCTAssertEqual(TraceContext(traceparent: output.envelope.traceparent)?.traceID,
                           TraceContext(traceparent: event.traceparent)?.traceID)
            XCTAssertEqual(output.envelope.timeUnixMicros, event.timeUnixMicros)
        }
        XCTAssertEqual(outputs[1].envelope.id, DerivedID.make(causeID: event.id, role: "orchestrator",
                                                              output: "agentmesh.task.assigned.v1", discriminator: "code#1"))
        XCTAssertEqual(Set(outputs.map(\.envelope.id)).count, outputs.count)
        XCTAssertEqual(outputs[1].envelope.subject, "code")
    }

    func testParallelAndDependentTasks() throws {
        let h = Harness()
        let spec = Artifact(name: "objective-brief.md", content: Array("brief".utf8))
        let start = h.submit("feature", parameters: [Attribute("component", "chart-header")], inputs: [spec])
        XCTAssertEqual(start.created?.tasks.map(\.taskID), ["discover", "implement", "document", "test", "secure"])
        XCTAssertEqual(start.assignments.map(\.taskID), ["discover"], "only the task without dependencies starts")
        XCTAssertEqual(start.assignments.first?.inputs, [spec], "a starting task receives the objective's inputs")
        XCTAssertTrue(start.assignments[0].instructions.contains("component chart-header"))
        XCTAssertEqual(h.plan.tasks.map(\.state), [.working, .submitted, .submitted, .submitted, .submitted])

        let note = Artifact(name: "design.md", content: Array("design".utf8))
        h.result("discover", artifacts: [note])
        let fanOut = h.verdict("discover", .review, .approve)
        XCTAssertEqual(fanOut.assignments.map(\.taskID), ["implement", "document"], "coding and documentation run in parallel")
        XCTAssertEqual(fanOut.assignments.map(\.inputs), [[note], [note]])
        XCTAssertEqual(fanOut.filter { $0.envelope.payload.kind == .taskAssigned }.map(\.destination),
                       [.tasks(.coding), .tasks(.documentation)])

        // Documentation finishes first; security still waits for testing.
        XCTAssertTrue(h.pass("document").assignments.isEmpty)
        XCTAssertEqual(h.task("secure").state, .submitted)

        // implement is high risk: human approval needed before testing starts.
        h.pass("implement")
        XCTAssertEqual(h.task("implement").state, .inputRequired)
        XCTAssertEqual(h.task("test").state, .submitted)
        let approved = h.decide(.approve)
        XCTAssertEqual(approved.assignments.map(\.taskID), ["test"])
        XCTAssertEqual(approved.assignments.first?.inputs.map(\.name), ["implement.txt"])

        let secure = h.pass("test")
        XCTAssertEqual(secure.assignments.map(\.taskID), ["secure"], "released only once test and document are accepted")
        XCTAssertEqual(secure.assignments.first?.inputs.map(\.name), ["test.txt", "document.txt"], "depends_on order")

        let done = h.pass("secure")
        XCTAssertEqual(done.completed?.artifacts.map(\.name),
                       ["design.md", "implement.txt", "document.txt", "test.txt", "secure.txt"])
        XCTAssertEqual(h.plan.tasks.map(\.state), Array(repeating: .completed, count: 5))
    }

    func testEveryTaskStateChangeEmitsPlanStatus() {
        let h = Harness()
        h.submit("feature")
        h.pass("discover")
        let status = h.outputs.statuses.last
        XCTAssertEqual(status?.tasks.map(\.state), [.completed, .working, .working, .submitted, .submitted])
        XCTAssertEqual(status?.tasks.map(\.attempt), [1, 1, 1, 0, 0])
        XCTAssertTrue(status?.detail.contains("discover: accepted on attempt 1") ?? false, status?.detail ?? "")
    }

    func testVerdictBeforeResultIsKeptUntilTheResultArrives() {
        let h = Harness()
        h.submit("single-task")
        // The verdicts topic can be read ahead of the results topic.
        let resultID = "result-early"
        h.verdict("code", .review, .approve, resultID: resultID)
        h.verdict("code", .compliance, .approve, resultID: resultID)
        XCTAssertEqual(h.task("code").state, .working)
        let payload = TaskResult(taskID: "code", planID: h.planID, attempt: 1, state: .completed, agentID: "agent-7")
        let outputs = h.send(.taskResult(payload), id: resultID, attributes: h.task("code").spec.classification.attributes)
        XCTAssertNotNil(outputs.completed)
    }

    func testUnknownPlaybookFailsThePlan() throws {
        let h = Harness()
        let outputs = h.submit("featrue")
        XCTAssertEqual(outputs.kinds, [.planStatus, .planFailed])
        let failed = try XCTUnwrap(outputs.failed)
        XCTAssertEqual(failed.finalState, .failed)
        XCTAssertTrue(failed.reason.contains("unknown playbook \"featrue\"; did you mean \"feature\"?"), failed.reason)
        XCTAssertEqual(h.plan.outcome?.state, .failed)
        XCTAssertTrue(h.result("code", attempt: 1).isEmpty, "nothing happens on a failed plan")
    }
}
