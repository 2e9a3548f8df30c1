import Foundation
import MeshKafka
import MeshTestSupport
import MeshWire
import XCTest

/// The crash windows of "nothing stuck after a crash", each set up with the embedded
/// broker's fault injection and the real role processes, and each a plan that waited forever
/// before the fix.
final class CrashRecoveryTests: XCTestCase {
    /// Every topic the orchestrator writes or reads but the ones a test moves elsewhere.
    private static let orchestratorTopics = [
        "mesh.objectives", "mesh.results", "mesh.verdicts", "mesh.approvals", "mesh.plans", "mesh.orchestrator.changelog",
        "mesh.tasks.coding", "mesh.agents", "mesh.deadletter",
    ]

    /// A. One input's outputs go to different partition leaders. With the assignment's leader
    /// down, the changelog snapshot (another leader) must not become durable first: a SIGKILL
    /// then would leave a restored plan that lists the objective as applied while its
    /// assignment was never written, and nothing would ever assign the task.
    func testTheSnapshotWaitsForTheAssignmentWhoseLeaderIsDown() async throws {
        let mesh = try await FaultMesh(mode: .atLeastOnce)
        defer { mesh.shutdown() }
        try mesh.lead(Self.orchestratorTopics.filter { $0 != "mesh.tasks.coding" }, by: 1)
        try mesh.lead(["mesh.tasks.coding"], by: 2)
        try mesh.start("orchestrator-1", "mesh-orchestrator")
        try await mesh.waitUntilAssigned(["orchestrator-1"])
        try mesh.cluster.setBrokerDown(2)

        let objective = "crash-a-snapshot-first"
        try mesh.submit(objective)
        try mesh.flush()
        // The plan's records reached the broker (the status is enqueued after the assignment
        // and before the snapshot), while the assignment cannot.
        try await eventually("the plan status of \(objective) is on mesh.plans\n\(mesh.logs)", timeout: .seconds(60)) {
            let plans = (try? await mesh.envelopes(on: "mesh.plans")) ?? []
            return plans.contains { $0.correlationID == objective && $0.payload.kind == .planStatus }
        }
        let changelog = try await mesh.envelopes(on: "mesh.orchestrator.changelog")
        XCTAssertFalse(changelog.contains { $0.correlationID == objective },
                       "the snapshot was published while the assignment was still unacknowledged")

        try mesh.killAndRestart("orchestrator-1")
        try mesh.cluster.setBrokerUp(2)
        try mesh.start("coding-1", "mesh-agent", ["--role", "coding"])
        try mesh.start("reviewer-1", "mesh-reviewer")
        try mesh.start("compliance-1", "mesh-compliance")
        try await eventually("\(objective) completes after the crash\n\(mesh.logs)", timeout: .seconds(120)) {
            mesh.finals.snapshot[objective] == true
        }
    }

    /// C. After a crash, Kafka redelivers each topic in order but not the topics in causal
    /// order: the result and verdicts of an objective whose plan was never snapshotted come
    /// back before the objective (its leader answers slowly here). They must be held until
    /// the objective re-creates the plan, not ignored and committed, which left the plan
    /// waiting for a result that had already come (the re-sent assignment is a duplicate to
    /// the agent).
    func testResultsThatComeBackBeforeTheirObjectiveAreHeldNotLost() async throws {
        let mesh = try await FaultMesh(mode: .atLeastOnce)
        defer { mesh.shutdown() }
        try mesh.lead(Self.orchestratorTopics.filter { $0 != "mesh.orchestrator.changelog" && $0 != "mesh.objectives" }, by: 1)
        try mesh.lead(["mesh.orchestrator.changelog"], by: 2)
        try mesh.lead(["mesh.objectives"], by: 3)
        try mesh.start("orchestrator-1", "mesh-orchestrator")
        try await mesh.waitUntilAssigned(["orchestrator-1"])
        // Every partition is prepared (restored from the changelog) while the changelog's
        // leader is up; then no snapshot can be written, so after the kill the plan exists
        // only as its objective.
        try await prepareEveryPartition(mesh)
        try mesh.cluster.setBrokerDown(2)

        let objective = "crash-c-result-first"
        try mesh.submit(objective)
        try mesh.flush()
        try await eventually("the task of \(objective) is assigned\n\(mesh.logs)", timeout: .seconds(60)) {
            ((try? await mesh.envelopes(on: "mesh.tasks.coding")) ?? []).contains { $0.correlationID == objective }
        }
        try mesh.kill("orchestrator-1")
        try mesh.cluster.setBrokerUp(2)
        try mesh.start("coding-1", "mesh-agent", ["--role", "coding"])
        try mesh.start("reviewer-1", "mesh-reviewer")
        try mesh.start("compliance-1", "mesh-compliance")
        try await eventually("both verdicts on the result of \(objective) exist\n\(mesh.logs)", timeout: .seconds(90)) {
            ((try? await mesh.envelopes(on: "mesh.verdicts")) ?? []).filter { $0.correlationID == objective }.count >= 2
        }
        // The objective now arrives well after the result and verdicts.
        try mesh.cluster.setBrokerRTT(3, milliseconds: 2_500)
        try mesh.start("orchestrator-1", "mesh-orchestrator")
        try await eventually("\(objective) completes after the crash\n\(mesh.logs)", timeout: .seconds(120)) {
            mesh.finals.snapshot[objective] == true
        }
        XCTAssertTrue(mesh.process("orchestrator-1")?.stderr.contains("held until its cause is handled") ?? false,
                      "the result or a verdict arrived before the objective and was held\n\(mesh.logs)")
    }

    /// Submits warm-up objectives until the orchestrator has written plans to every partition
    /// of mesh.plans, i.e. has prepared every partition.
    private func prepareEveryPartition(_ mesh: FaultMesh) async throws {
        let partitions = try XCTUnwrap(mesh.catalog.topic(named: "mesh.plans")).partitions
        var round = 0
        var covered: Set<Int32> = []
        while covered.count < partitions {
            XCTAssertLessThan(round, 20, "warm-up objectives never reached every partition")
            for index in 0..<partitions { try mesh.submit("warm-up-\(round)-\(index)") }
            try mesh.flush()
            round += 1
            try await eventually("the warm-up plans of round \(round) are created", timeout: .seconds(60)) {
                let records = (try? await TopicReader.readToEnd(
                    "mesh.plans", configuration: try mesh.environment.kafkaConfiguration(), logger: mesh.logger)) ?? []
                covered = Set(records.map(\.partition))
                return records.count >= round * partitions * 2  // PlanCreated and a status each
            }
        }
    }
}
