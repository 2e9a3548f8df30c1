import Foundation
import MeshSigning
import MeshTestSupport
import MeshTransport
import MeshWire
import XCTest

/// Agent cards on `mesh.agents` and what `meshctl agents` and `meshctl status` make of them,
/// with the real role executables on the embedded broker.
final class AgentCardTests: XCTestCase {
    var mesh: MeshHarness!

    override func tearDown() async throws {
        mesh?.shutdown()
    }

    /// `meshctl agents --all --json`, as role → instance → entry.
    private func agents() async throws -> [String: [String: Any]] {
        let run = try await mesh.meshctl(["agents", "--all", "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.stdout)
        return Dictionary(rows.map { ("\($0["role"]!)/\($0["instance"]!)", $0) }, uniquingKeysWith: { $1 })
    }

    func testAnInstanceAppearsAgesWhenItDiesAndIsShownStoppedAfterSIGTERM() async throws {
        mesh = try await MeshHarness()
        let fast = ["--card-seconds", "0.5"]
        try mesh.start("orchestrator-1", "mesh-orchestrator", fast)
        try mesh.start("coding-1", "mesh-agent", ["--role", "coding"] + fast)
        try mesh.start("coding-2", "mesh-agent", ["--role", "coding"] + fast)
        let store = "sqlite:" + mesh.workspace.url.appendingPathComponent("audit.sqlite").path
        try mesh.start("audit-sink-1", "mesh-audit-sink", ["--store", store] + fast)

        var cards: [String: [String: Any]] = [:]
        try await eventually("both coding instances, the orchestrator and the audit sink are live", timeout: .seconds(30)) {
            cards = (try? await self.agents()) ?? [:]
            return ["coding/coding-1", "coding/coding-2", "orchestrator/orchestrator-1", "audit-sink/audit-sink-1"]
                .allSatisfy { cards[$0]?["status"] as? String == "live" }
        }
        // The audit sink runs on the same runtime: its card lists the catalog topics it reads.
        let sink = try XCTUnwrap(cards["audit-sink/audit-sink-1"])
        XCTAssertEqual(sink["handler"] as? String, "audit-store")
        XCTAssertTrue((sink["capabilities"] as? [String] ?? []).contains("consumes:mesh.objectives"), "\(sink)")
        let coding = try XCTUnwrap(cards["coding/coding-1"])
        XCTAssertEqual(coding["handler"] as? String, "example")
        XCTAssertEqual(coding["interval_millis"] as? Int, 500)
        let capabilities = try XCTUnwrap(coding["capabilities"] as? [String])
        XCTAssertTrue(capabilities.contains("consumes:mesh.tasks.coding"), "\(capabilities)")
        XCTAssertTrue(capabilities.contains("produces:agentmesh.task.result.v1"), "\(capabilities)")
        XCTAssertEqual(cards["orchestrator/orchestrator-1"]?["handler"] as? String, "playbooks")

        // A killed instance sends no last card: it goes stale and its age keeps growing.
        mesh.kill("coding-2")
        var firstAge = 0.0
        try await eventually("coding-2 goes stale", timeout: .seconds(20)) {
            let entry = (try? await self.agents())?["coding/coding-2"]
            firstAge = entry?["age_seconds"] as? Double ?? 0
            return entry?["status"] as? String == "stale"
        }
        try await eventually("coding-2's age grows", timeout: .seconds(20)) {
            ((try? await self.agents())?["coding/coding-2"]?["age_seconds"] as? Double ?? 0) > firstAge + 0.5
        }
        let table = try await mesh.meshctl(["agents", "--role", "coding"])
        XCTAssertEqual(table.status, 0, "coding-1 is still live: \(table.stdout)\(table.stderr)")
        XCTAssertTrue(table.stdout.contains("coding-2") && table.stdout.contains("stale"), table.stdout)

        // SIGTERM: the last card says so at once, and the default listing leaves it out.
        let stopped = await mesh.stop("coding-1")
        XCTAssertTrue(stopped)
        try await eventually("coding-1 is shown stopped", timeout: .seconds(10)) {
            (try? await self.agents())?["coding/coding-1"]?["status"] as? String == "stopped"
        }
        let listing = try await mesh.meshctl(["agents"])
        XCTAssertFalse(listing.stdout.contains("coding-1"), listing.stdout)
        let none = try await mesh.meshctl(["agents", "--role", "coding"])
        XCTAssertEqual(none.status, 4, "no live coding instance: \(none.stdout)")
    }

    func testStatusNamesATaskWhoseRoleHasNoLiveInstanceUntilOneStarts() async throws {
        mesh = try await MeshHarness()
        try mesh.start("orchestrator-1", "mesh-orchestrator", ["--card-seconds", "0.5"])
        let objective = try await mesh.submit(playbook: "single-task")
        try await eventually("the plan is created", timeout: .seconds(30)) {
            await self.mesh.envelopes(objective).contains { $0.type == PayloadKind.planCreated.rawValue }
        }
        let waiting = try await mesh.meshctl(["status", objective])
        XCTAssertEqual(waiting.status, 0, waiting.stderr)
        XCTAssertTrue(waiting.stdout.contains("task code waits: no live coding instance (none ever seen)"), waiting.stdout)
        let json = try await mesh.meshctl(["status", objective, "--json"])
        XCTAssertTrue(json.stdout.contains("\"waits_for\":\"no live coding instance (none ever seen)\""), json.stdout)

        // A card for coding signed with another role's key does not count.
        let forged = Envelope(
            source: SourcePath.make(role: "reviewer", instance: "forger"), correlationID: "card-forged",
            payload: .agentHeartbeat(AgentHeartbeat(agentID: "forger", role: "coding", intervalMillis: 60_000)))
        try await mesh.publish(forged, to: "mesh.agents", as: "reviewer")
        let still = try await mesh.meshctl(["status", objective])
        XCTAssertTrue(still.stdout.contains("task code waits: no live coding instance"), still.stdout)

        try mesh.start("coding-1", "mesh-agent", ["--role", "coding", "--card-seconds", "0.5"])
        try mesh.start("reviewer-1", "mesh-reviewer")
        try mesh.start("compliance-1", "mesh-compliance")
        _ = try await mesh.outcome(objective, timeout: .seconds(60))
        let done = try await mesh.meshctl(["status", objective])
        XCTAssertFalse(done.stdout.contains("waits:"), done.stdout)
    }
}
