import MeshOps
import MeshOrchestration
import MeshSigning
import MeshWire
import XCTest

/// The approval rules meshctl and the console share, without a broker.
final class ApprovalDeskTests: XCTestCase {
    let request = ApprovalRequested(
        approvalID: "appr-1", taskID: "change", planID: "plan-1", attempt: 2, resultEnvelopeID: "res-1",
        resultSHA256: Array(repeating: 0xab, count: 32), reason: "human", deadlineUnixMicros: 2_000, authorID: "coding-1")
    let requestEnvelope = Envelope(source: "/mesh/orchestrator/o-1", correlationID: "obj-1", payload: .objectiveSubmitted(
        ObjectiveSubmitted(objectiveID: "obj-1", title: "t", description: "", playbook: "approval", submittedBy: "alice")))

    private func refusal(_ body: () throws -> Void) -> ApprovalRefusal.Reason? {
        do { try body() } catch let refusal as ApprovalRefusal { return refusal.reason } catch { return nil }
        return nil
    }

    private func signer(_ principal: String, _ kind: PrincipalKind) throws -> MessageSigner {
        MessageSigner(metadata: KeyMetadata(keyId: "\(principal)-k1", algorithm: .ed25519, principal: principal, principalKind: kind),
                      ed25519: try Ed25519PrivateKey.generate())
    }

    func testTheAuthorAnExpiredRequestAndADecidedOneAreRefused() {
        XCTAssertEqual(refusal { try ApprovalDesk.check(person: "coding-1", request: request, existingDecision: nil, now: 1_000) },
                       .separationOfDuties)
        XCTAssertEqual(refusal { try ApprovalDesk.check(person: "alice", request: request, existingDecision: nil, now: 2_001) }, .expired)
        let decided = ApprovalDecision(approvalID: "appr-1", decision: .approve, signerID: "bob", printedName: "Bob", meaning: "approved",
                                       signedAtUnixMicros: 1, resultSHA256: request.resultSHA256)
        XCTAssertEqual(refusal { try ApprovalDesk.check(person: "alice", request: request, existingDecision: decided, now: 1_000) },
                       .alreadyDecided)
        XCTAssertNil(refusal { try ApprovalDesk.check(person: "alice", request: request, existingDecision: nil, now: 1_000) })
    }

    func testTheDecisionBindsNameTimeAndMeaningToTheResultHashUnderThePersonsKey() throws {
        let alice = try signer("alice", .person)
        let envelope = try ApprovalDesk.decisionEnvelope(
            .approve, on: request, requestEnvelope: requestEnvelope, person: "alice", printedName: "Alice Example",
            meaning: "approved", reason: "ok", signer: alice, now: 1_500)
        guard case .approvalDecision(let decision) = envelope.payload else { return XCTFail("not a decision") }
        XCTAssertEqual(decision.resultSHA256, request.resultSHA256)
        XCTAssertEqual([decision.printedName, decision.meaning, decision.signerID], ["Alice Example", "approved", "alice"])
        XCTAssertEqual(decision.signedAtUnixMicros, 1_500)
        XCTAssertEqual(envelope.source, "/mesh/approver/alice")
        XCTAssertEqual(envelope.causationID, requestEnvelope.id)
        XCTAssertEqual(try ApprovalManifest.verify(decision, trust: try TrustStore([alice.verificationKey])).principal, "alice")
        var altered = decision
        altered.meaning = "reviewed"
        XCTAssertThrowsError(try ApprovalManifest.verify(altered, trust: try TrustStore([alice.verificationKey])))
    }

    func testARoleKeyOrAnotherPersonsKeyCannotSign() throws {
        XCTAssertEqual(refusal {
            _ = try ApprovalDesk.decisionEnvelope(.approve, on: request, requestEnvelope: requestEnvelope, person: "reviewer",
                                                  printedName: "R", meaning: "approved", reason: "", signer: try signer("reviewer", .role), now: 1)
        }, .notAPerson)
        XCTAssertEqual(refusal {
            _ = try ApprovalDesk.decisionEnvelope(.approve, on: request, requestEnvelope: requestEnvelope, person: "alice",
                                                  printedName: "A", meaning: "approved", reason: "", signer: try signer("bob", .person), now: 1)
        }, .wrongKey)
    }
}
