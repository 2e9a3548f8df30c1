import Foundation
import MeshTestSupport
import XCTest

/// The console in a real headless Chromium driven over WebDriver (Tests/Browser/console_browser.py,
/// Python selenium): sign in, the live plan list, the approval, a refused and then an accepted
/// signature, the completed plan with its diff, findings and audit trace, and the agents, dead
/// letters, compliance and audit pages. Screenshots go to .build/console-screenshots/.
final class ConsoleBrowserTests: XCTestCase {
    var console: ConsoleHarness?

    override func tearDown() {
        console?.stop()
        console?.mesh.shutdown()
    }

    func testAnApproverSignsInChromiumAndSeesThePlanComplete() async throws {
        let tools = try Self.browserTools()
        let console = try await ConsoleHarness.onApprovalMesh()
        self.console = console
        let objective = try await console.mesh.submit(playbook: "approval", title: "Banner <script>window.consoleInjected=1</script> [example:phi-on-first-attempt]")
        let request = try await console.mesh.first(objective) { $0.approvalRequest != nil }
        let approvalID = try XCTUnwrap(request.approvalRequest?.approvalID)
        let screenshots = MeshHarness.root.appendingPathComponent(".build/console-screenshots").path
        let run = try await runToCompletion(
            tools.python, [MeshHarness.root.appendingPathComponent("Tests/Browser/console_browser.py").path,
                           "--url", "http://127.0.0.1:\(console.port)", "--objective", objective, "--approval", approvalID,
                           "--user", "alice", "--password", "alice-password", "--printed-name", "Alice Example",
                           "--injected-title", "--screenshots", screenshots,
                           "--chromium", tools.chromium, "--driver", tools.driver],
            workingDirectory: console.mesh.workspace.url, timeout: .seconds(180))
        XCTAssertEqual(run.status, 0, "\(run.stdout)\n\(run.stderr)\n\(console.process?.stderr.suffix(3000) ?? "")")
        let outcome = try await console.mesh.outcome(objective)
        XCTAssertNotNil(outcome.completion, outcome.failure?.reason ?? outcome.type)
        for name in ["6-plan-completed", "7-plan-history", "9-agents", "10-deadletters", "11-compliance", "12-audit"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: screenshots + "/\(name).png"), name)
        }
    }

    /// `meshctl demo --approve-in-console`: the demo starts the console, prints its URL and a
    /// sign-in, and waits; a person signs the approval in Chromium and the demo completes.
    func testTheDemoLeavesTheApprovalToAPersonInTheConsole() async throws {
        let tools = try Self.browserTools()
        let workspace = try TemporaryDirectory("agentmesh-demo-console")
        defer { workspace.remove() }
        let root = MeshHarness.root
        let folders = ["Playbooks", "Rules", "Policies"].flatMap { ["--\($0.lowercased())", root.appendingPathComponent($0).path] }
        let demo = try ChildProcess(
            try Executables.url("meshctl"),
            ["demo", "--approve-in-console", "--timeout", "300", "--objective", root.appendingPathComponent("Objectives/demo.yaml").path,
             "--home", workspace.url.appendingPathComponent("home").path, "--catalog", root.appendingPathComponent("Topics").path] + folders,
            name: "demo", workingDirectory: workspace.url)
        defer { demo.stop() }
        func after(_ marker: String, in text: String) -> String? {
            text.range(of: marker).map { String(text[$0.upperBound...].prefix { !$0.isWhitespace && $0 != "," && $0 != ";" }) }
        }
        var url = "", password = "", objective = "", approval = ""
        try await eventually("the demo prints the console URL, a sign-in and the approval waiting for a person", timeout: .seconds(150)) {
            let out = demo.stdout
            url = after("[up] console: ", in: out).map { String($0.dropLast($0.hasSuffix("/") ? 1 : 0)) } ?? ""
            password = after("user demo-approver, password ", in: out) ?? ""
            objective = after(" as objective ", in: out) ?? ""
            approval = after("demo: approval ", in: out) ?? ""
            return !url.isEmpty && !password.isEmpty && !objective.isEmpty && !approval.isEmpty
        }
        XCTAssertFalse(demo.stdout.contains("approving"), "the demo does not approve by itself")
        let screenshots = root.appendingPathComponent(".build/console-screenshots/demo").path
        let run = try await runToCompletion(
            tools.python, [root.appendingPathComponent("Tests/Browser/console_browser.py").path,
                           "--url", url, "--objective", objective, "--approval", approval, "--user", "demo-approver",
                           "--password", password, "--printed-name", "Demo Approver", "--until-signed", "--screenshots", screenshots,
                           "--chromium", tools.chromium, "--driver", tools.driver],
            workingDirectory: workspace.url, timeout: .seconds(240))
        XCTAssertEqual(run.status, 0, "\(run.stdout)\n\(run.stderr)\n\(demo.stdout.suffix(4000))")
        let exited = await demo.waitForExit(timeout: .seconds(120))
        XCTAssertTrue(exited, demo.stdout)
        XCTAssertEqual(demo.exitCode, 0, demo.stdout)
        XCTAssertTrue(demo.stdout.contains("demo: completed"), demo.stdout)
    }

    /// Chromium, its WebDriver and a Python with selenium, or a skip that says how to get them.
    static func browserTools() throws -> (python: URL, chromium: String, driver: String) {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        func find(_ names: [String]) -> String? {
            for directory in path { for name in names where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
                return "\(directory)/\(name)"
            } }
            return nil
        }
        guard let chromium = find(["chromium", "chromium-browser"]), let driver = find(["chromedriver"]) else {
            throw XCTSkip("the browser tests need Debian's chromium and chromium-driver: `make deps` (or apt-get install chromium chromium-driver)")
        }
        let python = MeshHarness.root.appendingPathComponent(".build/python-env/bin/python")
        let probe = Process()
        probe.executableURL = python
        probe.arguments = ["-c", "import selenium"]
        probe.standardError = FileHandle.nullDevice
        guard FileManager.default.isExecutableFile(atPath: python.path), (try? probe.run()) != nil else {
            throw XCTSkip("the browser tests need selenium in .build/python-env: `make python-deps`")
        }
        probe.waitUntilExit()
        guard probe.terminationStatus == 0 else {
            throw XCTSkip("the browser tests need selenium in .build/python-env: `make python-deps` (Tests/Browser/requirements.txt)")
        }
        return (python, chromium, driver)
    }
}
