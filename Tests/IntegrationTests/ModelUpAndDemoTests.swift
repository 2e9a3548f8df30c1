import Foundation
import MeshTestSupport
import XCTest

/// `meshctl demo` and `meshctl up` with `--model-endpoint`: the real role processes, their
/// agents on the fake OpenAI-compatible endpoint this test starts.
final class ModelUpAndDemoTests: XCTestCase {
    var workspace: TemporaryDirectory!

    override func setUp() async throws { workspace = try TemporaryDirectory("agentmesh-model-ops") }
    override func tearDown() async throws { workspace?.remove() }

    var home: String { workspace.url.appendingPathComponent(".agentmesh").path }
    /// The repository's folders, so meshctl runs from the workspace.
    var repositoryFolders: [String] {
        ["--playbooks", "Playbooks", "--rules", "Rules", "--policies", "Policies", "--agents", "Agents", "--catalog", "Topics"]
            .enumerated().map { index, value in index % 2 == 0 ? value : repositoryRoot().appendingPathComponent(value).path }
    }

    /// An endpoint answering every task with a source file and its test (what the review rules
    /// ask of coding work), checking each request names `model`.
    func endpoint(model: String) throws -> FakeModelServer {
        let server = try FakeModelServer(flavour: .openAIChat)
        server.respond { request in
            if request.path != "/v1/chat/completions" { server.flag("request to \(request.path)") }
            if !request.body.contains("\"model\":\"\(model)\"") { server.flag("request without model \(model)") }
            return .answer(FakeModelServer.json([
                "summary": "intake summary endpoint with tests",
                "artifacts": [
                    ["name": "Sources/Intake/Summary.swift", "media_type": "text/x-swift", "content": "struct IntakeSummary {}\n"],
                    ["name": "Tests/IntakeTests/SummaryTests.swift", "media_type": "text/x-swift", "content": "import XCTest\n"],
                ],
            ]))
        }
        return server
    }

    func testDemoCompletesOnAModelEndpoint() async throws {
        let server = try endpoint(model: "fake-demo")
        defer { server.stop() }
        let demoHome = workspace.url.appendingPathComponent("demo-home")
        let demo = try await runToCompletion(
            try Executables.url("meshctl"),
            ["demo", "--timeout", "120", "--objective", repositoryRoot().appendingPathComponent("Objectives/demo.yaml").path,
             "--home", demoHome.path, "--model-endpoint", server.url, "--model", "fake-demo",
             "--replicas", "testing=0,security=0,documentation=0,ux=0,discovery=0"] + repositoryFolders,
            workingDirectory: workspace.url, timeout: .seconds(200))
        XCTAssertEqual(demo.status, 0, "demo failed:\n\(demo.stdout)\n\(demo.stderr)")
        XCTAssertTrue(demo.stdout.contains("demo: completed"), demo.stdout)
        XCTAssertTrue(demo.stdout.contains("attempt 1: review approve") && demo.stdout.contains("approved by demo-approver"), demo.stdout)
        XCTAssertEqual(server.problems, [])
        XCTAssertEqual(server.requestCount, 1, "one model call for the one coding attempt")
        let prompt = FakeModelServer.prompt(of: try XCTUnwrap(server.requests.first))
        XCTAssertTrue(prompt.contains("Add a patient intake summary endpoint"), prompt)
    }

    func testUpRunsModelBackedAgentsOnTheEndpoint() async throws {
        let server = try endpoint(model: "fake-up")
        defer { server.stop() }
        let up = try ChildProcess(
            try Executables.url("meshctl"),
            ["up", "--home", home, "--drain-seconds", "2", "--model-endpoint", server.url, "--model", "fake-up",
             "--replicas", "testing=0,security=0,documentation=0,ux=0,discovery=0"] + repositoryFolders,
            name: "up", workingDirectory: workspace.url)
        defer { up.stop() }
        try await eventually("up prints its ready line", timeout: .seconds(90)) { up.stdout.contains("[up] ready:") }

        let objective = workspace.url.appendingPathComponent("objective.yaml")
        try """
            title: Add an intake summary
            description: Summarise the intake form.
            playbook: single-task
            """.write(to: objective, atomically: true, encoding: .utf8)
        let submitted = try await runToCompletion(try Executables.url("meshctl"), ["submit", objective.path, "--wait", "--timeout", "90", "--home", home],
                                                  workingDirectory: workspace.url, timeout: .seconds(120))
        XCTAssertEqual(submitted.status, 0, "submit --wait:\n\(submitted.stdout)\n\(submitted.stderr)\n\(up.stdout)")
        XCTAssertTrue(submitted.stdout.contains(" completed "), submitted.stdout)
        XCTAssertEqual(server.problems, [])
        XCTAssertEqual(server.requestCount, 1)

        // The agent card names the handler and the model, so an operator sees which model a role runs on.
        let meshctl = try Executables.url("meshctl")
        try await eventually("meshctl agents lists coding-1 on model fake-up", timeout: .seconds(30)) {
            guard let agents = try? await runToCompletion(meshctl, ["agents", "--home", self.home, "--json", "--catalog", repositoryRoot().appendingPathComponent("Topics").path],
                                                          workingDirectory: self.workspace.url, timeout: .seconds(30)),
                  agents.status == 0,
                  let rows = try? JSONSerialization.jsonObject(with: Data(agents.stdout.utf8)) as? [[String: Any]]
            else { return false }
            return rows.contains { $0["instance"] as? String == "coding-1" && $0["handler"] as? String == "model" && $0["model"] as? String == "fake-up" }
        }

        // up runs outside the repository here: the console gets the policy folder up was given.
        XCTAssertFalse((up.stdout + up.stderr).contains("no policy folder"), up.stderr)

        up.signal(SIGTERM)
        let exited = await up.waitForExit(timeout: .seconds(60))
        XCTAssertTrue(exited, "up stops after SIGTERM")
        XCTAssertEqual(up.exitCode, 0, up.stderr)
        XCTAssertFalse(up.stdout.contains("unexpectedly"), up.stdout)
    }
}
