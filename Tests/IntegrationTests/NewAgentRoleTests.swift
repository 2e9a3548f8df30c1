import Foundation
import MeshTestSupport
import XCTest

/// Adding an agent role needs the catalog and a playbook, not code: a `translation` role is
/// declared in a copy of `Topics/` by its role entry and its task topic only (the topics
/// every agent writes, results, agent cards and dead letters, name their producers with
/// `kind:agent`), a playbook addresses it, and the unchanged executables run an objective through it: `meshctl demo` starts the mesh from
/// the catalog (broker, orchestrator, every agent role, reviewer, compliance, audit sink)
/// and follows the objective to completion.
final class NewAgentRoleTests: XCTestCase {
    var workspace: TemporaryDirectory!

    override func setUp() async throws {
        workspace = try TemporaryDirectory("agentmesh-new-role")
    }

    override func tearDown() async throws {
        workspace?.remove()
    }

    static let role = "translation"

    static let playbook = """
        playbook: translate
        version: 1
        description: One translation task reviewed by the reviewer and the compliance gate.
        tasks:
          - id: translate
            role: translation
            instructions: |
              {{title}}
              {{description}}
            verdicts: [review, compliance]
            max_attempts: 2
            risk: low
        """

    static let objective = """
        title: Translate the discharge leaflet
        description: Translate the discharge leaflet into Spanish for the patient portal.
        playbook: translate
        """

    /// The shipped catalog with the `translation` role added (its role entry and task topic,
    /// nothing else); fails if the catalog's text no longer has the places this edits.
    func catalogWithTranslation() throws -> String {
        var text = try String(contentsOf: repositoryRoot().appendingPathComponent("Topics/mesh.yaml"), encoding: .utf8)
        func edit(_ old: String, _ new: String, count expected: Int) throws {
            let found = text.components(separatedBy: old).count - 1
            guard found == expected else {
                throw HarnessError("Topics/mesh.yaml: expected \(expected) of \(old.debugDescription), found \(found)")
            }
            text = text.replacingOccurrences(of: old, with: new)
        }
        try edit("""
              - name: reviewer
                kind: reviewer
            """, """
              - name: translation
                kind: agent
                description: Translates patient-facing text.
              - name: reviewer
                kind: reviewer
            """, count: 1)
        try edit("""
              # ---- Operator actions ----
            """, """
              - name: mesh.tasks.translation
                description: Tasks assigned to the translation agent.
                task_for: translation
                key: correlation_id
                partitions: 6
                replication: 3
                retention: 7d
                types: [agentmesh.task.assigned.v1]
                producers: [orchestrator]
                consumers: [translation, audit-sink]

              # ---- Operator actions ----
            """, count: 1)
        return text
    }

    /// Writes the catalog, the shipped playbooks plus the translation one, and the objective.
    func folders() throws -> (catalog: String, playbooks: String, objective: String) {
        let files = FileManager.default
        let catalog = workspace.url.appendingPathComponent("Topics")
        try files.createDirectory(at: catalog, withIntermediateDirectories: true)
        try catalogWithTranslation().write(to: catalog.appendingPathComponent("mesh.yaml"), atomically: true, encoding: .utf8)
        let playbooks = workspace.url.appendingPathComponent("Playbooks")
        try files.copyItem(at: repositoryRoot().appendingPathComponent("Playbooks"), to: playbooks)
        try Self.playbook.write(to: playbooks.appendingPathComponent("translate.yaml"), atomically: true, encoding: .utf8)
        let objective = workspace.url.appendingPathComponent("translate-objective.yaml")
        try Self.objective.write(to: objective, atomically: true, encoding: .utf8)
        return (catalog.path, playbooks.path, objective.path)
    }

    func testANewAgentRoleRunsAnObjectiveFromTheCatalogAndAPlaybookAlone() async throws {
        let (catalog, playbooks, objective) = try folders()
        let demo = try await runToCompletion(
            try Executables.url("meshctl"),
            ["demo", "--timeout", "120", "--objective", objective, "--home", workspace.url.appendingPathComponent("home").path,
             "--catalog", catalog, "--playbooks", playbooks,
             "--rules", repositoryRoot().appendingPathComponent("Rules").path,
             "--policies", repositoryRoot().appendingPathComponent("Policies").path],
            workingDirectory: workspace.url, timeout: .seconds(200))
        XCTAssertEqual(demo.status, 0, "demo failed:\n\(demo.stdout)\n\(demo.stderr)")
        let ready = demo.stdout.split(separator: "\n").first { $0.contains("[up] ready:") } ?? ""
        XCTAssertTrue(ready.contains("\(Self.role)-1"), "meshctl up starts the new role from the catalog: \(ready)")
        // The follower reads the assignment from the role's task topic, found in the catalog.
        XCTAssertTrue(demo.stdout.contains("assigned   translate -> \(Self.role) attempt 1"), demo.stdout)
        XCTAssertTrue(demo.stdout.contains("result     translate attempt 1 by \(Self.role)-1: completed"), demo.stdout)
        XCTAssertTrue(demo.stdout.contains("translate: completed (attempt 1)"), demo.stdout)
        XCTAssertTrue(demo.stdout.contains("demo: completed"), demo.stdout)
    }

    func testTheShippedCatalogDoesNotKnowTheRole() async throws {
        let home = workspace.url.appendingPathComponent("home").path
        let agent = try await runToCompletion(
            try Executables.url("mesh-agent"),
            ["--role", Self.role, "--catalog", repositoryRoot().appendingPathComponent("Topics").path, "--home", home],
            workingDirectory: workspace.url, timeout: .seconds(30))
        XCTAssertNotEqual(agent.status, 0)
        XCTAssertTrue(agent.stderr.contains("--role must be one of the catalog's agent roles: coding, testing"), agent.stderr)
    }
}
