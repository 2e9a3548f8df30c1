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

/// An event whose plan never appears is held, then dead-lettered with its reason: not ignored
/// and committed, and not held forever.
final class HeldInputExpiryTests: XCTestCase {
    func testAVerdictForAPlanThatNeverAppearsIsDeadLetteredAsPlanUnknown() async throws {
        let mesh = try await MeshHarness()
        defer { mesh.shutdown() }
        try mesh.start("orchestrator-1", "mesh-orchestrator", ["--hold-seconds", "2"])
        let correlationID = "obj-never-\(UUID().uuidString.prefix(8))"
        let verdict = Envelope(
            source: "/mesh/reviewer/reviewer-1", correlationID: correlationID, causationID: "a-result-never-seen",
            subject: "code", payload: .verdict(Verdict(
                taskID: "code", planID: "plan-never", attempt: 1, kind: .review, decision: .approve,
                resultEnvelopeID: "a-result-never-seen", reviewerID: "reviewer")))
        try await mesh.publish(verdict, to: "mesh.verdicts", as: "reviewer")
        var letter: ConsumedMessage?
        try await eventually("the held verdict is dead-lettered as plan-unknown\n\(mesh.logs)", timeout: .seconds(60)) {
            let letters = (try? await TopicReader.readToEnd(
                "mesh.deadletter", configuration: try mesh.kafkaConfiguration(), logger: mesh.logger)) ?? []
            letter = letters.first { $0.headers.string(DeadLetterHeader.reason) == "plan-unknown" }
            return letter != nil
        }
        XCTAssertEqual(letter?.headers.string(DeadLetterHeader.role), "orchestrator")
        XCTAssertTrue(letter?.headers.string(DeadLetterHeader.detail)?.contains("held 2.0 seconds") ?? false,
                      letter?.headers.string(DeadLetterHeader.detail) ?? "no detail")
        XCTAssertTrue(mesh.logs.contains("held until its cause is handled"), mesh.logs)
    }
}
