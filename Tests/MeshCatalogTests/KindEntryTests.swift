// `kind:<kind>` entries in producers and consumers: resolution, grants, errors.

import XCTest
@testable import MeshCatalog

final class KindEntryTests: XCTestCase {
    /// The base catalog with a second agent role (`testing`) and its task topic.
    static let twoAgents = Fixtures.base
        .replacingOccurrences(of: """
              - name: audit-sink
            """, with: """
              - name: testing
                kind: agent
                description: tests
              - name: audit-sink
            """)
        .replacingOccurrences(of: """
              - name: mesh.deadletter
            """, with: """
              - name: mesh.tasks.testing
                description: tasks
                task_for: testing
                key: correlation_id
                partitions: 6
                replication: 3
                retention: 7d
                types: [agentmesh.task.assigned.v1]
                producers: [orchestrator]
                consumers: [testing, audit-sink]
              - name: mesh.deadletter
            """)

    func testKindEntryNamesEveryRoleOfTheKindInDeclaredOrder() throws {
        var yaml = Fixtures.setting("producers", of: "mesh.results", to: "[kind:agent]", in: Self.twoAgents).yaml
        yaml = Fixtures.setting("producers", of: "mesh.deadletter", to: "[orchestrator, kind:agent, meshctl]", in: yaml).yaml
        yaml = Fixtures.setting("consumers", of: "mesh.objectives", to: "[kind:orchestrator, kind:audit]", in: yaml).yaml
        let catalog = try CatalogLoader.parse(yaml: yaml, fileName: Fixtures.fileName, knownEnvelopeTypes: MeshEnvelopeTypes.standard)

        XCTAssertEqual(catalog.topic(named: "mesh.results")?.producers, ["coding", "testing"])
        XCTAssertEqual(catalog.topic(named: "mesh.deadletter")?.producers, ["orchestrator", "coding", "testing", "meshctl"])
        XCTAssertEqual(catalog.topic(named: "mesh.objectives")?.consumers, ["orchestrator", "audit-sink"])
        // Authorization and queries see the resolved roles.
        XCTAssertTrue(catalog.mayProduce(role: "testing", type: "agentmesh.task.result.v1", on: "mesh.results"))
        XCTAssertFalse(catalog.mayProduce(role: "meshctl", type: "agentmesh.task.result.v1", on: "mesh.results"))
        XCTAssertEqual(catalog.topics(consumedBy: "audit-sink").map(\.name).first, "mesh.objectives")
        XCTAssertEqual(catalog.topics(consumedBy: "orchestrator").map(\.name), ["mesh.objectives", "mesh.results"])
        XCTAssertEqual(catalog.orchestratorInputs.map(\.name), ["mesh.objectives", "mesh.results"])
        // Docs list the roles, not the entry.
        let docs = CatalogRenderer.markdown(catalog)
        XCTAssertTrue(docs.contains("`testing`"), docs)
        XCTAssertFalse(docs.contains("kind:agent"), docs)
        XCTAssertTrue(CatalogRenderer.table(catalog).contains("coding,testing"))
    }

    func testKindEntryAsAMapKeyGrantsItsTypesToEveryRoleOfTheKind() throws {
        let yaml = Fixtures.setting(
            "producers", of: "mesh.deadletter",
            to: "{kind:agent: [agentmesh.task.result.v1], meshctl: [agentmesh.objective.submitted.v1]}",
            in: Self.twoAgents).yaml
        let catalog = try CatalogLoader.parse(yaml: yaml, fileName: Fixtures.fileName, knownEnvelopeTypes: MeshEnvelopeTypes.standard)
        let grants = catalog.topic(named: "mesh.deadletter")?.producerGrants
        XCTAssertEqual(grants?.map(\.role), ["coding", "testing", "meshctl"])
        XCTAssertTrue(catalog.mayProduce(role: "testing", type: "agentmesh.task.result.v1", on: "mesh.deadletter"))
        XCTAssertFalse(catalog.mayProduce(role: "testing", type: "agentmesh.objective.submitted.v1", on: "mesh.deadletter"))
        XCTAssertFalse(catalog.mayProduce(role: "orchestrator", type: "agentmesh.task.result.v1", on: "mesh.deadletter"))
    }

    func testUnknownKindIsAnErrorAtItsLine() {
        let (yaml, line) = Fixtures.setting("producers", of: "mesh.results", to: "[kind:agnet]")
        assertReports(Fixtures.error(yaml), line: line, field: "producers",
                      "topic \"mesh.results\"", "unknown role kind \"agnet\"", "did you mean \"kind:agent\"?")
        let (consumers, consumersLine) = Fixtures.setting("consumers", of: "mesh.results", to: "[orchestrator, kind:auditor]")
        assertReports(Fixtures.error(consumers), line: consumersLine, field: "consumers", "unknown role kind \"auditor\"")
    }

    func testUnknownKindAsAMapKeyIsAnError() {
        let (yaml, line) = Fixtures.setting("producers", of: "mesh.results", to: "{kind:agents: [agentmesh.task.result.v1]}")
        assertReports(Fixtures.error(yaml), line: line, field: "producers", "unknown role kind \"agents\"")
    }

    func testARoleNamedAndCoveredByItsKindIsListedTwice() {
        let (yaml, line) = Fixtures.setting("producers", of: "mesh.results", to: "[coding, kind:agent]")
        assertReports(Fixtures.error(yaml), line: line, field: "producers",
                      "role \"coding\" is listed twice, by \"coding\" and \"kind:agent\"")
    }

    func testAKindEntryCountsForTheAuditRule() throws {
        let yaml = Fixtures.setting("consumers", of: "mesh.results", to: "[orchestrator, kind:audit]").yaml
        XCTAssertNoThrow(try CatalogLoader.parse(yaml: yaml, fileName: Fixtures.fileName, knownEnvelopeTypes: MeshEnvelopeTypes.standard))
        let (withoutAudit, line) = Fixtures.setting("consumers", of: "mesh.results", to: "[kind:orchestrator]")
        assertReports(Fixtures.error(withoutAudit), line: line, field: "consumers", "the audit role \"audit-sink\" does not consume")
    }

    func testAKindWithNoRoleIsAWarning() throws {
        let yaml = Fixtures.setting("consumers", of: "mesh.results", to: "[orchestrator, kind:reviewer, audit-sink]").yaml
        let catalog = try CatalogLoader.parse(yaml: yaml, fileName: Fixtures.fileName, knownEnvelopeTypes: MeshEnvelopeTypes.standard)
        XCTAssertTrue(catalog.warnings.contains { $0.description.contains("\"kind:reviewer\" names no role") }, "\(catalog.warnings)")
    }

    func testTheShippedCatalogNamesItsAgentsByKind() throws {
        let catalog = try CatalogLoader.load(directory: Fixtures.topicsDirectory)
        for topic in ["mesh.results", "mesh.agents", "mesh.deadletter"] {
            let producers = try XCTUnwrap(catalog.topic(named: topic)).producers
            for agent in catalog.agentRoles {
                XCTAssertTrue(producers.contains(agent), "\(agent) may produce to \(topic)")
            }
        }
    }
}

/// The Python reference client (examples/python) resolves `kind:<kind>` entries from its own
/// list of role kinds; a kind added here and not there would make it refuse a valid catalog.
final class PythonClientRoleKindsTests: XCTestCase {
    func testThePythonClientKnowsEveryRoleKind() throws {
        let client = Fixtures.topicsDirectory.deletingLastPathComponent()
            .appendingPathComponent("examples/python/agentmesh_contract.py")
        let source = try String(contentsOf: client, encoding: .utf8)
        let line = try XCTUnwrap(source.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("KINDS = (") },
                                 "agentmesh_contract.py declares KINDS = (…)")
        let listed = line.split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        XCTAssertEqual(Set(listed), Set(RoleKind.allCases.map(\.rawValue)))
        XCTAssertEqual(listed.count, Set(listed).count, "no kind listed twice")
    }
}
