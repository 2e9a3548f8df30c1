import MeshAgentHandlers
import MeshWire
import XCTest

final class HandlerContractTests: XCTestCase {
    func testTaskJSONGolden() {
        let assigned = TaskAssigned(
            taskID: "t-42", planID: "p-7", role: "coding", instructions: "Add \"lookup\"\nby MRN",
            attempt: 2,
            inputs: [
                Artifact(name: "spec.md", mediaType: "text/markdown", content: Array("# Spec é".utf8)),
                Artifact(name: "blob.bin", mediaType: "application/octet-stream", content: [0xFF, 0x00, 0x80]),
            ],
            feedback: [Finding(ruleID: "phi.ssn", severity: .high, message: "SSN found", location: "A.swift:2:30")],
            deadlineUnixMicros: 1_740_830_400_000_000)
        let context = HandlerContext(correlationID: "obj-3", agentID: "a",
                                     classification: TaskClassification(riskClass: .high, safetyClass: .c))
        let json = String(decoding: HandlerContract.taskJSON(assigned, context: context), as: UTF8.self)
        let golden = ##"{"contract":"agentmesh.handler/v1","task_id":"t-42","plan_id":"p-7","correlation_id":"obj-3","role":"coding","risk_class":"high","safety_class":"C","attempt":2,"instructions":"Add \"lookup\"\nby MRN","inputs":[{"name":"spec.md","media_type":"text/markdown","content":"# Spec é","sha256":"7f0f00d3ca21a299d7cbf18d5c9794c86e85769dce5a1700ec8b912a671c0f32"},{"name":"blob.bin","media_type":"application/octet-stream","content_base64":"/wCA","sha256":"ef192b7af54e943f206ab27075ec1805384c972c9959fc5820f1fa7d5268fcef"}],"feedback":[{"rule_id":"phi.ssn","severity":"high","message":"SSN found","location":"A.swift:2:30"}],"deadline":"2025-03-01T12:00:00Z"}"##
        XCTAssertEqual(json, golden)
    }

    func testNoDeadlineIsNullAndFractionsAreMicroseconds() {
        var assigned = TaskAssigned(taskID: "t", planID: "p", role: "ux")
        var json = String(decoding: HandlerContract.taskJSON(assigned, context: context), as: UTF8.self)
        XCTAssertTrue(json.hasSuffix(#""inputs":[],"feedback":[],"deadline":null}"#), json)
        XCTAssertTrue(json.contains(#""role":"ux","risk_class":null,"safety_class":null,"attempt":"#), json)
        assigned.deadlineUnixMicros = 1_740_830_400_000_250
        json = String(decoding: HandlerContract.taskJSON(assigned, context: context), as: UTF8.self)
        XCTAssertTrue(json.hasSuffix(#""deadline":"2025-03-01T12:00:00.000250Z"}"#), json)
    }

    func testSeverityNames() {
        XCTAssertEqual([Severity.unspecified, .info, .low, .medium, .high, .critical, .unrecognized(9)].map(HandlerContract.severityName),
                       ["unspecified", "info", "low", "medium", "high", "critical", "unspecified"])
    }

    func testResultMappingRecomputesHashes() {
        let outcome = HandlerOutcome.completed(
            summary: "s", artifacts: [Artifact(name: "a.txt", mediaType: "text/plain", content: Array("hi".utf8), sha256: [1, 2, 3])])
        let result = outcome.taskResult(for: task(attempt: 3), agentID: "agent-9")
        XCTAssertEqual(result.state, .completed)
        XCTAssertEqual(result.attempt, 3)
        XCTAssertEqual(result.agentID, "agent-9")
        XCTAssertEqual(hex(result.artifacts[0].sha256), "8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4")
        let failed = HandlerOutcome.failed("boom").taskResult(for: task(), agentID: "a")
        XCTAssertEqual(failed.state, .failed)
        XCTAssertEqual(failed.error, "boom")
    }
}
