// The runtime query API, against the shipped catalog.

import XCTest
@testable import MeshCatalog

final class QueryTests: XCTestCase {
    private var catalog: Catalog!

    override func setUpWithError() throws {
        catalog = try CatalogLoader.load(directory: Fixtures.topicsDirectory)
    }

    func testOrchestratorInputsAreCoPartitioned() {
        XCTAssertEqual(Set(catalog.orchestratorInputs.map(\.name)), [
            "mesh.objectives", "mesh.results", "mesh.verdicts", "mesh.approvals", "mesh.orchestrator.changelog",
        ])
        XCTAssertEqual(Set(catalog.orchestratorInputs.map(\.partitions)), [12])
        XCTAssertEqual(catalog.orchestratorPartitions, 12)
        // Agent cards are keyed by agent id and read by meshctl, not by the orchestrator.
        XCTAssertEqual(catalog.topic(named: "mesh.agents")?.key, .agentID)
        XCTAssertFalse(catalog.topics(consumedBy: "orchestrator").contains { $0.name == "mesh.agents" })
    }

    func testTopicLookup() {
        XCTAssertEqual(catalog.topic(named: "mesh.plans")?.key, .correlationID)
        XCTAssertEqual(catalog.topic(named: "mesh.agents")?.key, .agentID)
        XCTAssertNil(catalog.topic(named: "mesh.nope"))
        XCTAssertEqual(catalog.role(named: "approver")?.kind, .person)
        XCTAssertEqual(catalog.role(named: "approver")?.actsThrough, "meshctl")
    }

    func testConsumedAndProducedBy() {
        XCTAssertEqual(catalog.topics(consumedBy: "audit-sink").count, catalog.topics.count)
        XCTAssertEqual(catalog.topics(consumedBy: "coding").map(\.name), ["mesh.tasks.coding"])
        XCTAssertEqual(Set(catalog.topics(producedBy: "coding").map(\.name)),
                       ["mesh.results", "mesh.agents", "mesh.deadletter"])
        XCTAssertEqual(Set(catalog.topics(producedBy: "meshctl").map(\.name)), ["mesh.objectives", "mesh.operations", "mesh.deadletter"])
        XCTAssertEqual(Set(catalog.topics(consumedBy: "reviewer").map(\.name)), ["mesh.results"])
        XCTAssertEqual(catalog.topics(producedBy: "nobody"), [])
    }

    func testMayProduce() {
        XCTAssertTrue(catalog.mayProduce(role: "meshctl", type: "agentmesh.objective.submitted.v1", on: "mesh.objectives"))
        XCTAssertTrue(catalog.mayProduce(role: "meshctl", type: "agentmesh.objective.cancel_requested.v1", on: "mesh.objectives"))
        XCTAssertTrue(catalog.mayProduce(role: "coding", type: "agentmesh.task.result.v1", on: "mesh.results"))
        // Wrong role, wrong type for the topic, unknown topic.
        XCTAssertFalse(catalog.mayProduce(role: "orchestrator", type: "agentmesh.objective.submitted.v1", on: "mesh.objectives"))
        XCTAssertFalse(catalog.mayProduce(role: "coding", type: "agentmesh.verdict.v1", on: "mesh.results"))
        XCTAssertFalse(catalog.mayProduce(role: "reviewer", type: "agentmesh.task.result.v1", on: "mesh.results"))
        XCTAssertFalse(catalog.mayProduce(role: "coding", type: "agentmesh.task.result.v1", on: "mesh.nope"))
        // Per-type grants: people decide; the orchestrator also records deadline expiries as
        // decisions (signer system:deadline); only the orchestrator requests.
        XCTAssertTrue(catalog.mayProduce(role: "approver", type: "agentmesh.approval.decision.v1", on: "mesh.approvals"))
        XCTAssertTrue(catalog.mayProduce(role: "orchestrator", type: "agentmesh.approval.decision.v1", on: "mesh.approvals"))
        XCTAssertTrue(catalog.mayProduce(role: "orchestrator", type: "agentmesh.approval.requested.v1", on: "mesh.approvals"))
        XCTAssertFalse(catalog.mayProduce(role: "approver", type: "agentmesh.approval.requested.v1", on: "mesh.approvals"))
        XCTAssertFalse(catalog.mayProduce(role: "meshctl", type: "agentmesh.approval.decision.v1", on: "mesh.approvals"))
        // The dead-letter topic carries anything, from any listed producer.
        XCTAssertTrue(catalog.mayProduce(role: "ux", type: "not-even-an-envelope", on: "mesh.deadletter"))
        XCTAssertFalse(catalog.mayProduce(role: "approver", type: "agentmesh.task.result.v1", on: "mesh.deadletter"))
    }

    func testProducersOfType() {
        XCTAssertEqual(catalog.producers(of: "agentmesh.approval.decision.v1", on: "mesh.approvals"), ["orchestrator", "approver"])
        XCTAssertEqual(catalog.producers(of: "agentmesh.approval.requested.v1", on: "mesh.approvals"), ["orchestrator"])
        XCTAssertEqual(catalog.producers(of: "agentmesh.verdict.v1", on: "mesh.verdicts"), ["reviewer", "compliance"])
        XCTAssertEqual(catalog.producers(of: "agentmesh.task.result.v1", on: "mesh.results"),
                       ["coding", "testing", "security", "documentation", "ux", "discovery", "orchestrator"])
        XCTAssertEqual(catalog.producers(of: "agentmesh.verdict.v1", on: "mesh.results"), [])
        XCTAssertEqual(catalog.producers(of: "agentmesh.verdict.v1", on: "mesh.nope"), [])
        // The dead-letter topic accepts any type, so it is listed too.
        XCTAssertEqual(catalog.topics(for: "agentmesh.agent.heartbeat.v1", producedBy: "ux").map(\.name),
                       ["mesh.agents", "mesh.deadletter"])
    }

    func testTaskAndDeadLetterTopics() {
        for role in ["coding", "testing", "security", "documentation", "ux", "discovery"] {
            XCTAssertEqual(catalog.taskTopic(for: role)?.name, "mesh.tasks.\(role)")
            XCTAssertEqual(catalog.taskTopic(for: role)?.partitions, 6)
        }
        XCTAssertNil(catalog.taskTopic(for: "reviewer"))
        XCTAssertEqual(catalog.deadLetterTopic?.name, "mesh.deadletter")
        XCTAssertEqual(catalog.deadLetterTopic?.types, .any)
    }

    func testRetentionConversion() {
        XCTAssertEqual(Retention(parsing: "500ms")?.milliseconds, 500)
        XCTAssertEqual(Retention(parsing: "45s")?.milliseconds, 45_000)
        XCTAssertEqual(Retention(parsing: "30m")?.milliseconds, 1_800_000)
        XCTAssertEqual(Retention(parsing: "12h")?.milliseconds, 43_200_000)
        XCTAssertEqual(Retention(parsing: "7d")?.milliseconds, 604_800_000)
        XCTAssertEqual(Retention(parsing: "2w")?.milliseconds, 1_209_600_000)
        XCTAssertEqual(Retention(parsing: "forever")?.kafkaRetentionMs, -1)
        XCTAssertEqual(Retention(parsing: "forever")?.isForever, true)
        for bad in ["", "7", "d", "0h", "-1d", "7 d", "1.5h", "7y", "99999999999999999999d", "Forever"] {
            XCTAssertNil(Retention(parsing: bad), bad)
        }
        XCTAssertEqual(catalog.topic(named: "mesh.agents")?.retentionMs, 604_800_000)
        XCTAssertEqual(catalog.topic(named: "mesh.orchestrator.changelog")?.retentionMs, -1)
    }

    func testKafkaConfigs() throws {
        let changelog = try XCTUnwrap(catalog.topic(named: "mesh.orchestrator.changelog"))
        XCTAssertEqual(changelog.kafkaConfigs, [
            "retention.ms": "-1", "cleanup.policy": "compact",
            "min.insync.replicas": "2", "min.cleanable.dirty.ratio": "0.1",
        ])
        let results = try XCTUnwrap(catalog.topic(named: "mesh.results"))
        XCTAssertEqual(results.kafkaConfigs["retention.ms"], "2592000000")
        XCTAssertEqual(results.kafkaConfigs["cleanup.policy"], "delete")
        XCTAssertEqual(results.kafkaConfigs["max.message.bytes"], "4194304")
    }

    func testCreationSpecsForRealClusterAndSingleBroker() throws {
        let real = catalog.creationSpecs()
        XCTAssertEqual(real.count, catalog.topics.count)
        XCTAssertEqual(real.first { $0.name == "mesh.results" }?.replicationFactor, 3)
        XCTAssertEqual(real.first { $0.name == "mesh.results" }?.configs["min.insync.replicas"], "2")
        let embedded = catalog.creationSpecs(brokerCount: 1)
        XCTAssertEqual(Set(embedded.map(\.replicationFactor)), [1])
        XCTAssertEqual(Set(embedded.compactMap { $0.configs["min.insync.replicas"] }), ["1"])
        XCTAssertEqual(embedded.first { $0.name == "mesh.objectives" }?.partitions, 12)
        XCTAssertEqual(catalog.creationSpecs(brokerCount: 5), real)
    }

    func testValuesAreSendable() {
        func requireSendable<T: Sendable>(_: T) {}
        requireSendable(catalog!)
        requireSendable(catalog.topics[0])
        requireSendable(CatalogError(issues: []))
    }
}
