import Foundation
import MeshOrchestration
import MeshSigning
import MeshWire
import XCTest

final class ApprovalManifestTests: XCTestCase {
    func testASignedDecisionVerifiesAsThatPersonAndAnyChangeBreaksIt() throws {
        let ring = NSTemporaryDirectory() + "manifest-\(UUID().uuidString)"
        try KeyRingStore.initialize(at: ring, roles: ["orchestrator"], people: ["alice", "bob"], algorithm: .hmacSHA256)
        let trust = try KeyRingStore.loadTrustStore(from: ring)
        let decision = ApprovalDecision(
            approvalID: "ap-1", decision: .approve, signerID: "alice", printedName: "Alice Example", meaning: "approved",
            signedAtUnixMicros: 1_700_000_000_000_000, reason: "checked the diff", resultSHA256: [1, 2, 3])
        let signed = ApprovalManifest.sign(decision, with: try KeyRingStore.loadSigner(principal: "alice", from: ring))
        XCTAssertEqual(try ApprovalManifest.verify(signed, trust: trust).principal, "alice")

        var movedToAnotherResult = signed
        movedToAnotherResult.resultSHA256 = [9, 9, 9]
        XCTAssertThrowsError(try ApprovalManifest.verify(movedToAnotherResult, trust: trust))
        var reinterpreted = signed
        reinterpreted.meaning = "reviewed"
        XCTAssertThrowsError(try ApprovalManifest.verify(reinterpreted, trust: trust))
        var claimedByBob = signed
        claimedByBob.signerID = "bob"
        XCTAssertThrowsError(try ApprovalManifest.verify(claimedByBob, trust: trust))
        XCTAssertThrowsError(try ApprovalManifest.verify(decision, trust: trust)) { error in
            XCTAssertEqual(error as? ApprovalSignatureError, .missing)
        }
    }
}
