import Foundation
import MeshTestSupport
import XCTest

/// `meshctl scan` run as a process, as a pre-commit hook or CI job would: every output format
/// and every exit status.
final class ScanCommandTests: XCTestCase {
    var workspace: TemporaryDirectory!
    let policies = repositoryRoot().appendingPathComponent("Policies").path

    override func setUp() async throws { workspace = try TemporaryDirectory("scan") }
    override func tearDown() async throws { workspace.remove() }

    func write(_ name: String, _ content: String) throws -> String {
        let url = workspace.url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try content.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func scan(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runToCompletion(try Executables.url("meshctl"), ["scan", "--policies", policies] + arguments, workingDirectory: workspace.url)
    }

    func testCleanFilesApproveWithExitZeroAndLookAlikesStayQuiet() async throws {
        let config = try write("clean/config.yaml", """
            service:
              listen: 10.0.0.12:8080
              docs: https://api.example.com/v1
              owner: oncall@northwind-health.org
              released: 2024-05-12
              terminology: http://loinc.org
            secrets:
              token: ${API_TOKEN}
              aws: AKIAXXXXXXXXXXXXXXXX
            """)
        let run = try await scan([config])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.hasPrefix("approve: 0 finding(s)"), run.stdout)
        let verbose = try await scan(["--verbose", config])
        XCTAssertTrue(verbose.stdout.contains("(excluded by non-public-ip-ranges)"), verbose.stdout)
        XCTAssertTrue(verbose.stdout.contains("(excluded by workforce-email-domains)"), verbose.stdout)
        XCTAssertTrue(verbose.stdout.contains("(excluded by secret-placeholders)"), verbose.stdout)
    }

    func testPHIRequestsChangesWithExitOneAndFieldPaths() async throws {
        let fixture = try write("fixtures/patient.json", """
            {"patient": {"mrn": 88123456, "name": "Jane Roe", "dob": "1961-03-14"}}
            """)
        let run = try await scan([workspace.path])
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("\(fixture):1:21 $.patient.mrn: [critical] hipaa-mrn [mrn (H)]: medical record number ******56"), run.stdout)
        XCTAssertTrue(run.stdout.contains("$.patient.name: [high] hipaa-name [name (A)]"), run.stdout)
        XCTAssertTrue(run.stdout.contains("request_changes by hipaa-date, hipaa-mrn, hipaa-name"), run.stdout)
    }

    func testLiveSecretRejectsWithExitTwoAsJSON() async throws {
        _ = try write(".env", "DATABASE_URL=postgresql://app:Vq8rT2mXk9Lp@db.partner-cloud.io:5432/app\nMRN=88123456\n")
        let run = try await scan(["--json", workspace.path])
        XCTAssertEqual(run.status, 2, run.stdout + run.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["decision"] as? String, "reject")
        XCTAssertEqual(json["decidingRuleIds"] as? [String], ["secret-connection-url-password"])
        XCTAssertEqual((json["bundleHash"] as? String)?.count, 64)
        let findings = try XCTUnwrap(json["findings"] as? [[String: Any]])
        let secret = try XCTUnwrap(findings.first { $0["ruleId"] as? String == "secret-connection-url-password" })
        XCTAssertEqual(secret["start"] as? Int, 30)
        XCTAssertEqual(secret["end"] as? Int, 42)
        XCTAssertEqual(secret["line"] as? Int, 1)
        XCTAssertEqual(secret["identifierClass"] as? String, "secret")
        XCTAssertFalse(run.stdout.contains("Vq8rT2mXk9Lp"), "the secret is echoed")
    }

    func testSARIFIsVersion210WithRulesResultsAndSuppressions() async throws {
        let message = try write("adt.hl7", "MSH|^~\\&|A|B|C|D|202401020304||ADT^A01|1|P|2.5\rPID|1||4455667^^^H^MR||ROE^JANE||19610314|F\r")
        _ = try write("readme.md", "Contact qa@example.com.\n")
        let run = try await scan(["--format", "sarif", message, workspace.url.appendingPathComponent("readme.md").path])
        XCTAssertEqual(run.status, 1, run.stderr)
        let log = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(log["version"] as? String, "2.1.0")
        let sarifRun = try XCTUnwrap((log["runs"] as? [[String: Any]])?.first)
        let driver = try XCTUnwrap((sarifRun["tool"] as? [String: Any])?["driver"] as? [String: Any])
        XCTAssertTrue((driver["rules"] as? [[String: Any]] ?? []).contains { $0["id"] as? String == "hipaa-name" })
        let results = try XCTUnwrap(sarifRun["results"] as? [[String: Any]])
        let name = try XCTUnwrap(results.first { $0["ruleId"] as? String == "hipaa-name" })
        let logical = ((name["locations"] as? [[String: Any]])?.first?["logicalLocations"] as? [[String: Any]])?.first
        XCTAssertEqual(logical?["fullyQualifiedName"] as? String, "PID-5.1")
        XCTAssertEqual(name["level"] as? String, "warning")
        let suppressed = try XCTUnwrap(results.first { $0["suppressions"] != nil })
        XCTAssertEqual(suppressed["level"] as? String, "note")
        XCTAssertEqual((suppressed["suppressions"] as? [[String: Any]])?.first?["justification"] as? String, "excluded by reserved-example-domains")
        XCTAssertEqual((sarifRun["properties"] as? [String: Any])?["decision"] as? String, "request_changes")
    }

    func testUnreadablePathOrBadPolicyExitsThree() async throws {
        let missing = try await scan([workspace.url.appendingPathComponent("nope").path])
        XCTAssertEqual(missing.status, 3)
        XCTAssertTrue(missing.stderr.contains("no such file or directory"), missing.stderr)
        let badPolicies = try TemporaryDirectory("policies")
        defer { badPolicies.remove() }
        try "id: broken\nversion: 1\nrules:\n  - id: x\n    detector: nope\n    severity: high\n    on_match: reject\n"
            .write(to: badPolicies.url.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        let file = try write("a.txt", "hello")
        let bad = try await runToCompletion(try Executables.url("meshctl"), ["scan", "--policies", badPolicies.path, file], workingDirectory: workspace.url)
        XCTAssertEqual(bad.status, 3)
        XCTAssertTrue(bad.stderr.contains("broken.yaml:5: rule \"x\": field \"detector\": unknown detector \"nope\""), bad.stderr)
    }
}
