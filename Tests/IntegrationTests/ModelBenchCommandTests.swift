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
            workingDirectory: repositoryRoot(), outputDirectory: output.url, timeout: .seconds(150))
        XCTAssertEqual(run.status, 0, run.stderr)
        let figures = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout)
        let pipeline = try XCTUnwrap(figures["pipeline"] as? [String: Any])
        XCTAssertEqual(pipeline["handler"] as? String, "model")
        XCTAssertEqual(pipeline["completed"] as? Int, 30)
        XCTAssertEqual(pipeline["failed"] as? Int, 0)
        XCTAssertGreaterThan(figures["tasksPerSecond"] as? Double ?? 0, 0)
        // Every task asked the endpoint (warm-up, burst and paced objectives together).
        XCTAssertGreaterThanOrEqual(figures["endpointRequests"] as? Int ?? 0, 30 + 20)
        let egress = try XCTUnwrap(figures["egressGuard"] as? [String: Any])
        XCTAssertEqual(egress["maskedValues"] as? Int, 3)
        XCTAssertGreaterThan(egress["microsecondsPerKiB"] as? Double ?? 0, 0)
        XCTAssertTrue(run.stderr.contains("coding-1 stopped (exited with status 0)"), "the model-backed agent exits cleanly:\n\(run.stderr)")
    }
}
