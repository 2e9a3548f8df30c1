import Foundation
import MeshTestSupport
import XCTest

/// `meshctl bench model` as a real process tree (meshctl hosting the broker and the instant
/// model endpoint, the role processes with a model-backed coding agent), on a small load.
final class ModelBenchCommandTests: XCTestCase {
    func testJSONFiguresCoverTheMeshAndTheGuard() async throws {
        let output = try TemporaryDirectory()
        defer { output.remove() }
        let run = try await runToCompletion(
            try Executables.url("meshctl"),
            ["bench", "model", "--objectives", "30", "--paced-seconds", "0.5", "--guard-rounds", "5", "--json"],
            workingDirectory: repositoryRoot(), outputDirectory: output.url, timeout: .seconds(240))
        XCTAssertEqual(run.status, 0, run.stderr)
        let figures = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout)
        // One whole-mesh run per role key algorithm, by default the throughput option and the default.
        let runs = try XCTUnwrap(figures["runs"] as? [[String: Any]])
        XCTAssertEqual(runs.map { $0["keyAlgorithm"] as? String }, ["hmac-sha256", "ed25519"])
        for run in runs {
            let pipeline = try XCTUnwrap(run["pipeline"] as? [String: Any])
            XCTAssertEqual(pipeline["handler"] as? String, "model")
            XCTAssertEqual(pipeline["keyAlgorithm"] as? String, run["keyAlgorithm"] as? String)
            XCTAssertEqual(pipeline["completed"] as? Int, 30)
            XCTAssertEqual(pipeline["failed"] as? Int, 0)
            XCTAssertGreaterThan(run["tasksPerSecond"] as? Double ?? 0, 0)
        }
        // Every task asked the endpoint (warm-up, burst and paced objectives of both runs together).
        XCTAssertGreaterThanOrEqual(figures["endpointRequests"] as? Int ?? 0, 2 * (30 + 20))
        let egress = try XCTUnwrap(figures["egressGuard"] as? [String: Any])
        XCTAssertEqual(egress["maskedValues"] as? Int, 3)
        XCTAssertGreaterThan(egress["microsecondsPerKiB"] as? Double ?? 0, 0)
        XCTAssertTrue(run.stderr.contains("coding-1 stopped (exited with status 0)"), "the model-backed agent exits cleanly:\n\(run.stderr)")
    }
}
