import Foundation
import MeshTestSupport
import XCTest

/// examples/python: a client written from Proto/ and Proto/CONTRACT.md alone checks the test
/// vectors, then takes part in a real mesh on the embedded broker: it submits an objective
/// signed with the operator key, follows it and verifies every envelope it reads.
final class ReferenceClientTests: XCTestCase {
    var mesh: MeshHarness?
    /// Where the child processes' output files go (not the repository).
    var scratch: TemporaryDirectory!

    override func setUp() async throws {
        scratch = try TemporaryDirectory("agentmesh-python")
    }

    override func tearDown() async throws {
        mesh?.shutdown()
        scratch?.remove()
    }

    static var client: URL { MeshHarness.root.appendingPathComponent("examples/python/reference_client.py") }

    /// The interpreter `make deps` prepares (.build/python-env), else python3 from PATH, if it
    /// has the client's packages; the test skips, saying how to install them, otherwise.
    func python() async throws -> URL {
        let candidates = [MeshHarness.root.appendingPathComponent(".build/python-env/bin/python").path]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
        for path in candidates where FileManager.default.isExecutableFile(atPath: path) {
            let probe = try await runToCompletion(
                URL(fileURLWithPath: path), ["-c", "import confluent_kafka, cryptography, google.protobuf, yaml"],
                workingDirectory: scratch.url)
            if probe.status == 0 { return URL(fileURLWithPath: path) }
        }
        throw XCTSkip("the Python reference client's packages are missing (confluent-kafka, cryptography, protobuf, PyYAML): "
                      + "run `make deps` (installs examples/python/requirements.txt into .build/python-env)")
    }

    func testTheReferenceClientAgreesWithEveryVector() async throws {
        let python = try await python()
        let run = try await runToCompletion(
            python, [Self.client.path, "vectors", MeshHarness.root.appendingPathComponent("Proto/vectors").path],
            workingDirectory: scratch.url)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        // Every case of the committed vectors was judged, none differently.
        let vectors = MeshHarness.root.appendingPathComponent("Proto/vectors/envelopes.json")
        let document = try JSONSerialization.jsonObject(with: try Data(contentsOf: vectors)) as? [String: Any]
        let cases = try XCTUnwrap(document?["cases"] as? [Any]).count
        XCTAssertTrue(run.stdout.contains("vectors: \(cases) envelopes, 0 failure(s)"), run.stdout + run.stderr)
    }

    func testTheReferenceClientSubmitsFollowsAndVerifiesAnObjectiveToCompletion() async throws {
        let python = try await python()
        let mesh = try await MeshHarness()
        self.mesh = mesh
        try mesh.start("orchestrator-1", "mesh-orchestrator")
        try mesh.start("coding-1", "mesh-agent", ["--role", "coding"])
        try mesh.start("reviewer-1", "mesh-reviewer")
        try mesh.start("compliance-1", "mesh-compliance")
        let run = try await runToCompletion(
            python, [Self.client.path, "run", "--home", mesh.home, "--catalog", MeshHarness.root.appendingPathComponent("Topics").path,
                     "--playbook", "single-task", "--timeout", "150"],
            workingDirectory: mesh.workspace.url, timeout: .seconds(200))
        print(run.stdout)
        XCTAssertEqual(run.status, 0, "\(run.stdout)\n\(run.stderr)\n\(mesh.logs)")
        XCTAssertFalse(run.stdout.contains("REFUSED"), run.stdout)
        // Objective, plan, assignment, result, two verdicts, completion at least.
        let verified = run.stdout.split(separator: "\n").last { $0.hasPrefix("verified ") }
        let count = verified.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
        XCTAssertGreaterThanOrEqual(count, 7, run.stdout)
        XCTAssertTrue(run.stdout.contains("outcome completed"), run.stdout)
        for type in ["agentmesh.plan.created.v1", "agentmesh.task.result.v1", "agentmesh.verdict.v1", "agentmesh.plan.completed.v1"] {
            XCTAssertTrue(run.stdout.contains(type), "\(type) missing:\n\(run.stdout)")
        }
    }
}
