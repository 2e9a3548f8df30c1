import Foundation
import MeshKafka
import MeshSigning
import MeshTestSupport
import MeshTransport
import MeshWire
import XCTest

/// Ids mean one thing, shown with the real role processes: an insider with the operator key
/// cannot pre-empt the id of another role's future output, and two objectives that reuse an id
/// are both accounted for.
final class IdentityTests: XCTestCase {
    var mesh: MeshHarness!

    override func tearDown() async throws {
        mesh?.shutdown()
    }

    private func objective(_ correlationID: String, title: String, id: String = Envelope.makeID()) -> Envelope {
        Envelope(
            id: id, source: SourcePath.make(role: "meshctl", instance: "insider"), correlationID: correlationID,
            payload: .objectiveSubmitted(ObjectiveSubmitted(
                objectiveID: correlationID, title: title, playbook: "single-task", submittedBy: "alice")))
    }

    private func deadLetters(reason: String) async throws -> [ConsumedMessage] {
        try await TopicReader.readToEnd("mesh.deadletter", configuration: try mesh.kafkaConfiguration(), logger: mesh.logger)
            .filter { $0.headers.string(DeadLetterHeader.reason) == reason }
    }

    /// The decoy carries the id the coding agent will derive for the genuine result, and is
    /// published first. Before, every consumer remembered the decoy's id and dropped the
    /// genuine result as a duplicate, and the plan waited forever.
    func testADecoyCarryingAFutureResultIdDoesNotStopTheGenuineResult() async throws {
        mesh = try await MeshHarness()
        try mesh.startStandardMesh(agentRoles: ["coding"])
        let correlationID = "obj-squat-\(UUID().uuidString.prefix(8))"
        let genuine = objective(correlationID, title: "Genuine work")
        let assignmentID = DerivedID.make(causeID: genuine.id, role: "orchestrator",
                                          output: PayloadKind.taskAssigned.rawValue, discriminator: "code#1")
        let futureResultID = DerivedID.make(causeID: assignmentID, role: "coding", output: "result")
        let decoy = objective(correlationID, title: "Decoy", id: futureResultID)
        try await mesh.publish(decoy, to: "mesh.objectives", as: "meshctl")
        try await mesh.publish(genuine, to: "mesh.objectives", as: "meshctl")

        let outcome = try await mesh.outcome(correlationID, timeout: .seconds(90))
        XCTAssertEqual(outcome.payload.kind, .planCompleted, "\(mesh.logs)")
        let results = await mesh.envelopes(correlationID).filter { $0.payload.kind == .taskResult }
        XCTAssertEqual(results.map(\.id), [futureResultID], "the genuine result kept its id")
        var refused: [ConsumedMessage] = []
        try await eventually("the orchestrator dead-letters the decoy as bad-derived-id") {
            refused = (try? await self.deadLetters(reason: "bad-derived-id")) ?? []
            return !refused.isEmpty
        }
        XCTAssertTrue(refused.allSatisfy { $0.headers.string(DeadLetterHeader.sourceTopic) == "mesh.objectives" })
    }

    /// A second objective with the id of the first (same principal, other content) is a
    /// conflict: dead-lettered as id-conflict, not silently dropped as a duplicate.
    func testTwoObjectivesSharingAnIdAreBothAccountedFor() async throws {
        mesh = try await MeshHarness()
        try mesh.startStandardMesh(agentRoles: ["coding"])
        let correlationID = "obj-reuse-\(UUID().uuidString.prefix(8))"
        let first = objective(correlationID, title: "First")
        var second = objective(correlationID, title: "Second, reusing the first's id")
        second.id = first.id
        try await mesh.publish(first, to: "mesh.objectives", as: "meshctl")
        try await mesh.publish(second, to: "mesh.objectives", as: "meshctl")
        let outcome = try await mesh.outcome(correlationID, timeout: .seconds(90))
        XCTAssertEqual(outcome.payload.kind, .planCompleted)
        var conflicts: [ConsumedMessage] = []
        try await eventually("the orchestrator dead-letters the second objective as id-conflict\n\(mesh.logs)") {
            conflicts = (try? await self.deadLetters(reason: "id-conflict")) ?? []
            return !conflicts.isEmpty
        }
        XCTAssertTrue(conflicts.contains { $0.headers.string(DeadLetterHeader.role) == "orchestrator" })
        let opener = EnvelopeOpener(trust: try KeyRingStore.loadTrustStore(from: mesh.keys))
        let opened = try XCTUnwrap(try? opener.open(conflicts[0].value).get())
        guard case .objectiveSubmitted(let refusedObjective) = opened.envelope.payload else { return XCTFail("not an objective") }
        XCTAssertEqual(refusedObjective.title, "Second, reusing the first's id")
    }
}
