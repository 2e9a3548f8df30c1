import MeshOrchestration
import MeshWire
import XCTest

final class ChangelogTests: XCTestCase {
    func testAChangedPlanYieldsOneDeterministicSnapshotOfItsNewState() throws {
        let harness = Harness()
        let submitted = Envelope(
            id: "evt-submit", source: "/mesh/meshctl/alice", correlationID: "obj-1", timeUnixMicros: 42,
            payload: .objectiveSubmitted(ObjectiveSubmitted(
                objectiveID: "obj-1", title: "t", description: "d", playbook: "single-task", submittedBy: "alice")))
        let (state, outputs) = harness.orchestrator.handleRecordingState(OrchestratorState(), submitted)
        let snapshots = outputs.filter { $0.destination == .changelog }
        XCTAssertEqual(snapshots.count, 1)
        let snapshot = try XCTUnwrap(snapshots.first?.envelope)
        XCTAssertEqual(snapshot.correlationID, "obj-1")
        XCTAssertEqual(snapshot.causationID, "evt-submit")
        guard case .orchestratorSnapshot(let payload) = snapshot.payload else { return XCTFail("not a snapshot") }
        XCTAssertEqual(payload.lastEventID, "evt-submit")
        XCTAssertEqual(try PlanSnapshot.decode(payload.state), state.plan("obj-1"))
        XCTAssertEqual(outputs.count, harness.orchestrator.handle(OrchestratorState(), submitted).1.count + 1)

        let (_, again) = harness.orchestrator.handleRecordingState(OrchestratorState(), submitted)
        XCTAssertEqual(again, outputs, "same state and event, same outputs and snapshot")
    }

    func testAnEventThatChangesNothingYieldsNoSnapshot() throws {
        let harness = Harness()
        harness.submit("single-task")
        let duplicate = try XCTUnwrap(harness.events.first)
        let (state, outputs) = harness.orchestrator.handleRecordingState(harness.state, duplicate)
        XCTAssertEqual(outputs, [])
        XCTAssertEqual(state, harness.state)
    }
}
