import Foundation
import MeshTestSupport
import MeshWire
import XCTest

/// `--exactly-once`: a reviewer process judging a backlog is SIGKILLed mid-stream and
/// restarted with the same instance id. A read_committed reader (the harness observer) must
/// see every verdict exactly once: not one duplicate record, which the at-least-once mode
/// only promises after dropping redelivered ids.
final class ExactlyOnceTests: XCTestCase {
    static let backlog = 1500

    func testKilledAndRestartedReviewerPublishesEveryVerdictExactlyOnce() async throws {
        let mesh = try await MeshHarness()
        defer { mesh.shutdown() }
        var resultIDs: Set<String> = []
        for index in 0..<Self.backlog {
            let result = Envelope(
                source: "/mesh/coding/backlog", correlationID: "eos-\(index)", subject: "task-\(index)",
                payload: .taskResult(TaskResult(
                    taskID: "task-\(index)", planID: "plan-\(index)", state: .completed, summary: "done",
                    artifacts: [Artifact(name: "Sources/A.swift", mediaType: "text/x-swift", content: Array("let a = 1\n".utf8)),
                                Artifact(name: "Tests/ATests.swift", mediaType: "text/x-swift", content: Array("import XCTest\n".utf8))],
                    agentID: "backlog")))
            resultIDs.insert(result.id)
            try await mesh.publish(result, to: "mesh.results", as: "coding")
        }
        try mesh.start("reviewer-1", "mesh-reviewer", ["--exactly-once"])
        try await eventually("the reviewer commits its first transactions", timeout: .seconds(60)) {
            await mesh.observed.values.filter { $0.verdict != nil }.count >= 100
        }
        mesh.kill("reviewer-1")
        let beforeKill = await mesh.observed.values.filter { $0.verdict != nil }.count
        XCTAssertLessThan(beforeKill, Self.backlog, "killed mid-stream, not after the backlog: \(mesh.logs)")

        try mesh.start("reviewer-1", "mesh-reviewer", ["--exactly-once"])  // same transactional.id: fences the zombie
        try await eventually("the restarted reviewer finishes the backlog", timeout: .seconds(120)) {
            await mesh.observed.values.filter { $0.verdict != nil }.count >= Self.backlog
        }
        try await Task.sleep(for: .seconds(2))  // a duplicate verdict would arrive now
        let verdictEnvelopes = await mesh.observed.values.filter { $0.verdict != nil }
        XCTAssertEqual(verdictEnvelopes.count, Self.backlog, "every verdict record exactly once (\(beforeKill) before the kill)")
        XCTAssertEqual(Set(verdictEnvelopes.map(\.id)).count, verdictEnvelopes.count, "no verdict record twice")
        XCTAssertEqual(Set(verdictEnvelopes.compactMap(\.verdict).map(\.resultEnvelopeID)), resultIDs, "every result judged")
        let log = mesh.roles["reviewer-1"]?.stderr ?? ""
        XCTAssertTrue(log.contains("exactly-once mode"), "the restarted reviewer ran in exactly-once mode:\n\(log.suffix(2000))")
    }
}
