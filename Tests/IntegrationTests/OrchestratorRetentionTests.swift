import Foundation
import MeshTestSupport
import MeshWire
import XCTest

/// The real orchestrator evicts finished plans from memory (`--finished-retention`) and
/// remembers the latest evicted objective ids (`--remembered-evicted-ids`).
final class OrchestratorRetentionTests: XCTestCase {
    var mesh: MeshHarness!

    override func tearDown() async throws {
        mesh?.shutdown()
    }

    /// Both finished plans are evicted at the next one-second tick; only the later one's id
    /// is remembered. Resubmitting the forgotten objective (a new envelope) runs it again,
    /// which shows its plan really left memory; resubmitting the remembered one is ignored.
    func testEvictedPlansLeaveMemoryAndARememberedObjectiveIsNotRunAgain() async throws {
        mesh = try await MeshHarness()
        try mesh.start("orchestrator-1", "mesh-orchestrator", ["--finished-retention", "0", "--remembered-evicted-ids", "1"])
        try mesh.start("coding-1", "mesh-agent", ["--role", "coding"])
        try mesh.start("reviewer-1", "mesh-reviewer")
        try mesh.start("compliance-1", "mesh-compliance")

        let forgotten = try await mesh.submit(playbook: "single-task", title: "First")
        let firstOutcome = try await mesh.outcome(forgotten)
        XCTAssertNotNil(firstOutcome.completion, firstOutcome.failure?.reason ?? firstOutcome.type)
        let remembered = try await mesh.submit(playbook: "single-task", title: "Second")
        let secondOutcome = try await mesh.outcome(remembered)
        XCTAssertNotNil(secondOutcome.completion, secondOutcome.failure?.reason ?? secondOutcome.type)
        try await Task.sleep(for: .seconds(3))

        try await mesh.submit(playbook: "single-task", title: "Second again", correlationID: remembered)
        try await mesh.submit(playbook: "single-task", title: "First again", correlationID: forgotten)
        try await eventually("the forgotten objective runs again with a new plan\n\(mesh.logs)", timeout: .seconds(60)) {
            await self.plansCreated(forgotten).count == 2
        }
        try await eventually("the orchestrator processed all four submissions\n\(mesh.logs)", timeout: .seconds(30)) {
            guard let metrics = try? await self.mesh.get("orchestrator-1", "/metrics").body else { return false }
            return Self.processedSubmissions(metrics) == 4
        }
        let rememberedPlans = await plansCreated(remembered)
        XCTAssertEqual(rememberedPlans.count, 1, "the remembered objective was not run again")
        XCTAssertEqual(mesh.roles["orchestrator-1"]?.isRunning, true)
    }

    /// `agentmesh_messages_processed_total` of topic `mesh.objectives` (outputs acknowledged).
    private static func processedSubmissions(_ metrics: String) -> Int? {
        let line = metrics.split(separator: "\n").first {
            $0.hasPrefix("agentmesh_messages_processed_total{") && $0.contains("topic=\"mesh.objectives\"")
        }
        return line.flatMap { Int($0.split(separator: " ").last ?? "") }
    }

    private func plansCreated(_ correlationID: String) async -> [Envelope] {
        await mesh.envelopes(correlationID).filter {
            if case .planCreated = $0.payload { return true }
            return false
        }
    }
}
