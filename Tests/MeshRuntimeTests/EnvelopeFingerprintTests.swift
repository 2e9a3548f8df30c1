import MeshRuntime
import MeshSigning
import XCTest

/// Ids mean one thing: a repeat of an id is a redelivery, a re-handled input's later copy,
/// or a conflict.
final class EnvelopeFingerprintTests: XCTestCase {
    private let derived = DerivedID.make(causeID: "assignment-1", role: "coding", output: "result")
    private let root = "0192f0c6-9d2e-7a41-b7c3-4f5e6d7c8b9a"

    private func print(_ bytes: String, topic: String = "mesh.results", principal: String = "coding",
                       type: String = "agentmesh.task.result.v1", cause: String = "assignment-1") -> EnvelopeFingerprint {
        EnvelopeFingerprint(topic: topic, principal: principal, type: type, causationID: cause, envelopeBytes: Array(bytes.utf8))
    }

    func testTheSameBytesAreARedelivery() {
        XCTAssertEqual(print("a").compared(to: print("a"), id: derived), .redelivery)
    }

    func testOtherBytesOfADerivedIdFromTheSameProducerAreSuperseded() {
        XCTAssertEqual(print("second try").compared(to: print("first try"), id: derived), .superseded)
    }

    func testAnotherPrincipalTypeOrTopicIsAConflict() {
        let first = print("a")
        for other in [print("a", principal: "testing"), print("a", type: "agentmesh.verdict.v1"),
                      print("a", topic: "mesh.verdicts")] {
            guard case .conflict = other.compared(to: first, id: derived) else { return XCTFail("\(other) is a conflict") }
        }
    }

    func testOtherBytesOfARootIdAreAConflict() {
        let first = print("objective A", principal: "meshctl", type: "agentmesh.objective.submitted.v1", cause: "")
        let second = print("objective B", principal: "meshctl", type: "agentmesh.objective.submitted.v1", cause: "")
        guard case .conflict = second.compared(to: first, id: root) else { return XCTFail("two objectives may not share an id") }
    }
}
