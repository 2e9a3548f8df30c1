import XCTest
import MeshWire

final class EnumTests: XCTestCase {
    func testUnrecognizedEqualsNamedCaseWithSameNumber() {
        XCTAssertEqual(TaskState.unrecognized(4), .completed)
        XCTAssertEqual(Set([TaskState.unrecognized(4), .completed]).count, 1)
        XCTAssertNotEqual(TaskState.unrecognized(99), .completed)
        XCTAssertFalse(Decision.unrecognized(99).isRecognized)
        XCTAssertTrue(Decision.unrecognized(1).isRecognized)
        XCTAssertEqual(Severity.critical.description, "SEVERITY_CRITICAL")
    }

    func testRawValuesMatchProto() {
        XCTAssertEqual(SignatureAlgorithm.ed25519.rawValue, 2)
        XCTAssertEqual(Severity.critical.rawValue, 5)
        XCTAssertEqual(TaskState.rejected.rawValue, 7)
        XCTAssertEqual(VerdictKind.human.rawValue, 3)
        XCTAssertEqual(RiskClass.critical.rawValue, 4)
        XCTAssertEqual(Decision.requestChanges.rawValue, 2)
    }

    func testUnknownEnumNumbersSurviveTheWire() throws {
        let codec = EnvelopeCodec()
        for value: Int32 in [8, 1000, .max, -1, .min] {
            let envelope = Fixtures.envelope(.planFailed(PlanFailed(
                planID: "p", failedTaskID: "t", reason: "r", finalState: TaskState(rawValue: value))))
            let decoded = try codec.decode(try codec.encode(envelope))
            guard case .planFailed(let failed) = decoded.payload else { return XCTFail("wrong payload") }
            XCTAssertEqual(failed.finalState, .unrecognized(value))
        }
    }

    func testPayloadKindsMatchProtoComments() {
        XCTAssertEqual(PayloadKind.taskResult.rawValue, "agentmesh.task.result.v1")
        XCTAssertEqual(PayloadKind.objectiveCancelRequested.rawValue, "agentmesh.objective.cancel_requested.v1")
        XCTAssertEqual(Set(PayloadKind.allCases.map(\.fieldNumber)), Set(20...33))
        for kind in PayloadKind.allCases { XCTAssertEqual(PayloadKind(fieldNumber: kind.fieldNumber), kind) }
        XCTAssertNil(PayloadKind(fieldNumber: 34))
    }
}
