import Foundation
import MeshTestSupport
import XCTest

/// `meshctl bench pipeline` as a real process tree (meshctl hosting the broker, the four role
/// processes), on a load small enough for debug builds.
final class PipelineBenchTests: XCTestCase {
    func testJSONFiguresIncludeCPUPerObjectiveOfEveryProcess() async throws {
        let output = try TemporaryDirectory()
        defer { output.remove() }
        // Run from the repository (the default playbooks, rules and policies); output elsewhere.
        let run = try await runToCompletion(
            try Executables.url("meshctl"), ["bench", "pipeline", "--objectives", "40", "--paced-seconds", "0.5", "--json"],
            workingDirectory: repositoryRoot(), outputDirectory: output.url, timeout: .seconds(120))
        XCTAssertEqual(run.status, 0, run.stderr)
        let figures = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout)
        XCTAssertEqual(figures["completed"] as? Int, 40)
        let cpu = try XCTUnwrap(figures["burstCPUMillisecondsPerObjective"] as? [String: Double], run.stdout)
        XCTAssertEqual(Set(cpu.keys), ["orchestrator-1", "coding-1", "reviewer-1", "compliance-1", "meshctl"])
        for (process, milliseconds) in cpu {
            XCTAssertGreaterThan(milliseconds, 0, "\(process) did work for the objectives")
        }
        let total = try XCTUnwrap(figures["burstCPUMillisecondsPerObjectiveTotal"] as? Double)
        XCTAssertEqual(total, cpu.values.reduce(0, +), accuracy: 1e-9)
    }
}
