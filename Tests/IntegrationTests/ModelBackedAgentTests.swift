import Foundation
import MeshSigning
import MeshTestSupport
import MeshWire
import XCTest

/// Model-backed coding and documentation agents (`mesh-agent --handler model`) complete an
/// objective through the real role processes, against fake OpenAI- and Anthropic-compatible
/// endpoints on loopback.
final class ModelBackedAgentTests: XCTestCase {
    static let codingKey = "sk-coding-TESTKEY-7f3a9c1e5b"
    static let docsKey = "sk-ant-docs-TESTKEY-2d8e4b6a0c"

    static let playbook = """
        playbook: model-feature
        version: 1
        description: A coding task with rework, then its documentation, both on models.
        tasks:
          - id: implement
            role: coding
            instructions: |
              Implement "{{title}}". {{description}}
            verdicts: [review, compliance]
            max_attempts: 3
            risk: low
          - id: document
            role: documentation
            depends_on: [implement]
            instructions: Document "{{title}}" for users.
            verdicts: [review]
            risk: low
        """

    func testAnObjectiveCompletesOnModelBackedAgentsWithReworkTranscriptsAndNoKeyAnywhere() async throws {
        let coding = try FakeModelServer(flavour: .openAIChat)
        let docs = try FakeModelServer(flavour: .anthropicMessages)
        defer { coding.stop(); docs.stop() }
        coding.requireCredential(Self.codingKey)
        docs.requireCredential(Self.docsKey)
        // Attempt 1 forgets the tests; the reviewer's finding must be in the attempt-2 prompt.
        coding.respond { request in
            let prompt = FakeModelServer.prompt(of: request)
            let source = ["name": "Sources/App/Banner.swift", "media_type": "text/x-swift", "content": "struct Banner {}\n"]
            if prompt.contains("Attempt 1.") {
                return .answer(FakeModelServer.json(["summary": "banner without tests", "artifacts": [source]]))
            }
            if !prompt.contains("tests.missing") {
                coding.flag("attempt \(prompt.contains("Attempt 2.") ? 2 : 0) prompt lacks the previous attempt's finding tests.missing")
            }
            let test = ["name": "Tests/AppTests/BannerTests.swift", "media_type": "text/x-swift", "content": "import XCTest\n"]
            return .answer(FakeModelServer.json(["summary": "banner with tests", "artifacts": [source, test]]))
        }
        docs.respond { _ in
            .answer(FakeModelServer.json([
                "summary": "user guide", "artifacts": [["name": "docs/banner.md", "media_type": "text/markdown", "content": "# Banner\n"]],
            ]))
        }

        let playbooks = try TemporaryDirectory("agentmesh-model-playbooks")
        defer { playbooks.remove() }
        try Self.playbook.write(to: playbooks.url.appendingPathComponent("model-feature.yaml"), atomically: true, encoding: .utf8)
        let mesh = try await MeshHarness(playbooks: playbooks.path)
        defer { mesh.shutdown() }
        let store = "sqlite:" + mesh.workspace.url.appendingPathComponent("audit.sqlite").path
        let agents = MeshHarness.root.appendingPathComponent("Agents").path
        let policies = MeshHarness.root.appendingPathComponent("Policies").path
        try mesh.start("orchestrator-1", "mesh-orchestrator")
        try mesh.start("coding-1", "mesh-agent", [
            "--role", "coding", "--handler", "model", "--agent-file", agents + "/coding.yaml", "--model-policies", policies,
            "--model-endpoint", coding.url, "--model", "fake-coder", "--model-api-key-env", "CODING_MODEL_KEY",
        ], environment: ["CODING_MODEL_KEY": Self.codingKey])
        try mesh.start("documentation-1", "mesh-agent", [
            "--role", "documentation", "--handler", "model", "--agent-file", agents + "/documentation.yaml", "--model-policies", policies,
            "--model-endpoint", docs.url, "--model", "fake-writer", "--model-flavour", "anthropic-messages",
            "--model-api-key-env", "DOCS_MODEL_KEY",
        ], environment: ["DOCS_MODEL_KEY": Self.docsKey])
        try mesh.start("reviewer-1", "mesh-reviewer")
        try mesh.start("compliance-1", "mesh-compliance")
        try mesh.start("audit-sink-1", "mesh-audit-sink", ["--store", store])

        let objective = try await mesh.submit(playbook: "model-feature", title: "Add allergy banner")
        let outcome = try await mesh.outcome(objective, timeout: .seconds(90))
        XCTAssertNotNil(outcome.completion, "plan failed: \(String(describing: outcome.failure))\n\(mesh.logs)")
        XCTAssertEqual(coding.problems, [])
        XCTAssertEqual(docs.problems, [])
        XCTAssertEqual(coding.requestCount, 2, "one call per attempt")
        XCTAssertEqual(docs.requestCount, 1)

        // The results carry the transcript and name the model.
        let envelopes = await mesh.envelopes(objective)
        let results = envelopes.compactMap { envelope in envelope.result.map { (envelope, $0) } }
        let codingResults = results.filter { $0.0.source.contains("/coding/") }
        XCTAssertEqual(codingResults.map(\.1.attempt).sorted(), [1, 2])
        for (envelope, result) in results {
            XCTAssertTrue(result.artifacts.contains { $0.mediaType == "application/vnd.agentmesh.model-transcript+json" }, "\(result.artifacts.map(\.name))")
            XCTAssertTrue(envelope.attributes.contains { $0.key == "model.name" && ($0.value == "fake-coder" || $0.value == "fake-writer") })
        }

        // The transcript is on the audit record.
        try await eventually("the audit sink stored the completion") {
            let trace = try? await Self.meshctl(mesh, ["audit", "trace", objective, "--store", store])
            return trace?.stdout.contains("completed") == true && trace?.stdout.contains("model_transcript") == true
        }
        let trace = try await Self.meshctl(mesh, ["audit", "trace", objective, "--store", store])
        for (_, result) in results {
            // The hash on the record is the hash of the transcript's bytes.
            let transcript = try XCTUnwrap(result.artifacts.first { $0.name == "agentmesh/model-transcript.json" })
            XCTAssertEqual(transcript.sha256, SHA256Digest.hash(transcript.content))
            XCTAssertTrue(trace.stdout.contains("model_transcript: agentmesh/model-transcript.json sha256=\(SHA256Digest.hex(transcript.content))"),
                          trace.stdout)
        }
        // Replaying the recorded objective through the orchestrator's engine gives the recorded outcome.
        let rebuild = try await Self.meshctl(mesh, [
            "replay", objective, "--rebuild", "--store", store, "--catalog", MeshHarness.root.appendingPathComponent("Topics").path,
            "--playbooks", playbooks.path, "--home", mesh.home,
        ])
        XCTAssertTrue(rebuild.stdout.contains("rebuild matches"), rebuild.stdout + rebuild.stderr)

        // No credential anywhere: logs, envelopes, metrics pages, the audit store.
        let keys = [Self.codingKey, Self.docsKey]
        for (name, process) in mesh.roles {
            for key in keys { XCTAssertFalse(process.stderr.contains(key) || process.stdout.contains(key), "\(name) logged a key") }
        }
        for envelope in envelopes {
            let encoded = String(decoding: try EnvelopeCodec().encode(envelope), as: UTF8.self)
            for key in keys { XCTAssertFalse(encoded.contains(key), "envelope \(envelope.id) holds a key") }
        }
        var modelSeries: Set<String> = []
        for name in ["coding-1", "documentation-1"] {
            let metrics = try await mesh.get(name, "/metrics").body
            let page = try PrometheusExposition(parsing: metrics)
            modelSeries.formUnion(page.samples.map(\.name))
            XCTAssertGreaterThan(page.values("agentmesh_model_calls_total").reduce(0, +), 0, metrics)
            XCTAssertGreaterThan(page.values("agentmesh_model_tokens_total", ["kind": "prompt"]).reduce(0, +), 0, metrics)
            XCTAssertGreaterThan(page.values("agentmesh_model_latency_seconds_count").reduce(0, +), 0, metrics)
            XCTAssertEqual(page.value("agentmesh_model_errors_total", ["class": "budget_exceeded"]), 0, metrics)
            for key in keys { XCTAssertFalse(metrics.contains(key), "\(name) /metrics holds a key") }
        }
        let dashboardModelSeries = DashboardFile.expressions(try DashboardFile.load())
            .reduce(into: Set<String>()) { $0.formUnion(DashboardFile.series(in: $1)) }.filter { $0.hasPrefix("agentmesh_model_") }
        XCTAssertFalse(dashboardModelSeries.isEmpty)
        XCTAssertEqual(dashboardModelSeries.subtracting(modelSeries), [], "model series on the Grafana dashboard that no agent serves")
        let export = mesh.workspace.url.appendingPathComponent("trail.jsonl")
        let exported = try await Self.meshctl(mesh, ["audit", "export", "--format", "jsonl", "--output", export.path, "--store", store])
        XCTAssertEqual(exported.status, 0, exported.stderr)
        let trail = try String(contentsOf: export, encoding: .utf8)
        var raw = ""
        for line in trail.split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let encoded = object["rawBase64"] as? String, let bytes = Data(base64Encoded: encoded) else { continue }
            raw += String(decoding: bytes, as: UTF8.self)
        }
        XCTAssertTrue(raw.contains("model-transcript"), "the export holds the raw records")
        let databasePath = String(store.dropFirst("sqlite:".count))
        var database = try Data(contentsOf: URL(fileURLWithPath: databasePath))
        database += (try? Data(contentsOf: URL(fileURLWithPath: databasePath + "-wal"))) ?? Data()
        for key in keys {
            XCTAssertFalse(trail.contains(key) || raw.contains(key), "the audit export holds a key")
            XCTAssertNil(database.range(of: Data(key.utf8)), "the audit database holds a key")
        }

        // A model-backed agent drains and exits cleanly (its HTTP client shut down).
        let stopped = await mesh.stop("coding-1")
        XCTAssertTrue(stopped)
        XCTAssertEqual(mesh.roles["coding-1"]?.exitCode, 0, mesh.roles["coding-1"]?.stderr ?? "")
    }

    static let guardPlaybook = """
        playbook: model-guard
        version: 1
        description: One model-backed coding task, reviewed by the rules only.
        tasks:
          - id: letter
            role: coding
            instructions: |
              {{description}}
            verdicts: [review]
            max_attempts: 1
            risk: low
        """

    /// The egress guard in the real agent process: PHI in the task never reaches the endpoint
    /// and is back in the published result, counted; a live secret fails the task unsent.
    func testTheEgressGuardMasksPHIAndStopsSecretsInTheRealAgent() async throws {
        let ssn = "123-45-6789", name = "Maria Gonzalez", mrn = "88123456"
        let endpoint = try FakeModelServer(flavour: .openAIChat)
        defer { endpoint.stop() }
        endpoint.forbid([ssn, name, mrn])
        endpoint.respond { request in
            let prompt = FakeModelServer.prompt(of: request)
            let seen = ["[NAME-1]", "[SSN-1]", "[MRN-1]"].filter { prompt.contains($0) }.joined(separator: " ")
            return .answer(FakeModelServer.json([
                "summary": "letter drafted", "artifacts": [
                    ["name": "Sources/Letters/Letter.swift", "media_type": "text/x-swift", "content": "let patient = \"\(seen)\"\n"],
                    ["name": "Tests/LettersTests/LetterTests.swift", "media_type": "text/x-swift", "content": "import XCTest\n"],
                ],
            ]))
        }
        let playbooks = try TemporaryDirectory("agentmesh-model-playbooks")
        defer { playbooks.remove() }
        let mesh = try await Self.codingMesh(Self.guardPlaybook, in: playbooks, endpoint: endpoint)
        defer { mesh.shutdown() }

        let objective = try await mesh.submit(playbook: "model-guard", title: "Letter",
                                              description: "Write a letter.\nPatient: \(name)\nSSN: \(ssn)\nMRN: \(mrn)\n")
        let outcome = try await mesh.outcome(objective, timeout: .seconds(60))
        XCTAssertNotNil(outcome.completion, "\(String(describing: outcome.failure))\n\(mesh.logs)")
        XCTAssertEqual(endpoint.problems, [])
        XCTAssertEqual(endpoint.requestCount, 1)
        let published = try await mesh.first(objective) { $0.result != nil }
        let letter = try XCTUnwrap(published.result?.artifacts.first { $0.name == "Sources/Letters/Letter.swift" })
        XCTAssertEqual(String(decoding: letter.content, as: UTF8.self), "let patient = \"\(name) \(ssn) \(mrn)\"\n")
        for cls in ["name", "ssn", "mrn"] {
            XCTAssertEqual(published.attributes.first { $0.key == "egress.masked.\(cls)" }?.value, "1", "\(published.attributes)")
        }

        let secret = "AKIA" + "Q3EGRTZ7VXKBNW4H"
        let leaking = try await mesh.submit(playbook: "model-guard", title: "Deploy", description: "Use AWS_ACCESS_KEY_ID=\(secret) to deploy.")
        let refused = try await mesh.outcome(leaking, timeout: .seconds(60))
        XCTAssertNotNil(refused.failure)
        let failed = try await mesh.first(leaking) { $0.result != nil }
        XCTAssertEqual(failed.result?.state, .failed)
        XCTAssertTrue(failed.result?.error.hasPrefix("egress guard: a live secret") == true, failed.result?.error ?? "")
        XCTAssertFalse(failed.result?.error.contains(secret) == true)
        XCTAssertEqual(endpoint.requestCount, 1, "no request for the task with a secret")
    }

    static let budgetPlaybook = """
        playbook: model-budget
        version: 1
        description: One model-backed coding task on a tighter budget than its agent definition's.
        tasks:
          - id: implement
            role: coding
            instructions: Implement "{{title}}".
            verdicts: [review]
            max_attempts: 2
            risk: low
            model_budget: {max_tokens: 100}
        """

    /// The playbook task's budget reaches the real agent on its assignment: every call of the
    /// fake costs 150 tokens, so each attempt fails "budget exceeded", and the orchestrator's
    /// attempt budget counts both.
    func testAPlaybookTasksModelBudgetFailsAttemptsUntilTheAttemptBudgetIsSpent() async throws {
        let endpoint = try FakeModelServer(flavour: .openAIChat)
        defer { endpoint.stop() }
        let playbooks = try TemporaryDirectory("agentmesh-model-playbooks")
        defer { playbooks.remove() }
        let mesh = try await Self.codingMesh(Self.budgetPlaybook, in: playbooks, endpoint: endpoint)
        defer { mesh.shutdown() }

        let objective = try await mesh.submit(playbook: "model-budget", title: "Banner")
        let outcome = try await mesh.outcome(objective, timeout: .seconds(60))
        let failure = try XCTUnwrap(outcome.failure, "the plan should fail on its budget\n\(mesh.logs)")
        XCTAssertTrue(failure.reason.contains("attempt budget of 2 spent; last attempt failed (budget exceeded: 150 tokens used, the task may use 100)"),
                      failure.reason)
        let envelopes = await mesh.envelopes(objective)
        let results = envelopes.compactMap(\.result)
        XCTAssertEqual(results.map(\.attempt).sorted(), [1, 2])
        XCTAssertEqual(Set(results.map(\.state)), [.failed])
        XCTAssertTrue(results.allSatisfy { $0.error == "budget exceeded: 150 tokens used, the task may use 100" }, "\(results.map(\.error))")
        XCTAssertEqual(endpoint.requestCount, 2, "one call per attempt")
        let assignments = envelopes.filter { $0.payload.kind == .taskAssigned }
        XCTAssertEqual(assignments.count, 2)
        XCTAssertTrue(assignments.allSatisfy { $0.attributes.contains(Attribute("agentmesh.model_budget.max_tokens", "100")) })
    }

    /// The orchestrator running `playbook`, a model-backed coding agent on `endpoint` and the reviewer.
    static func codingMesh(_ playbook: String, in playbooks: TemporaryDirectory, endpoint: FakeModelServer) async throws -> MeshHarness {
        try playbook.write(to: playbooks.url.appendingPathComponent("playbook.yaml"), atomically: true, encoding: .utf8)
        let mesh = try await MeshHarness(playbooks: playbooks.path)
        try mesh.start("orchestrator-1", "mesh-orchestrator")
        try mesh.start("coding-1", "mesh-agent", [
            "--role", "coding", "--handler", "model", "--agent-file", MeshHarness.root.appendingPathComponent("Agents/coding.yaml").path,
            "--model-policies", MeshHarness.root.appendingPathComponent("Policies").path, "--model-endpoint", endpoint.url,
        ])
        try mesh.start("reviewer-1", "mesh-reviewer")
        return mesh
    }

    static func meshctl(_ mesh: MeshHarness, _ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runToCompletion(try Executables.url("meshctl"), arguments, workingDirectory: mesh.workspace.url)
    }
}
