import Foundation
import MeshTestSupport
import XCTest

/// `meshctl bench pipeline` as a real process tree (the broker as `meshctl broker`, the four
/// role processes and the audit sink on SQLite, meshctl generating the load), on a load small
/// enough for debug builds.
final class PipelineBenchTests: XCTestCase {
    func testJSONFiguresIncludeCPUPerObjectiveOfEveryProcessAndTheAuditStoreCheck() async throws {
        let output = try TemporaryDirectory()
        defer { output.remove() }
        // Run from the repository (the default playbooks, rules and policies); output elsewhere.
        let run = try await runToCompletion(
            try Executables.url("meshctl"), ["bench", "pipeline", "--objectives", "40", "--paced-seconds", "0.5", "--json"],
            workingDirectory: repositoryRoot(), outputDirectory: output.url, timeout: .seconds(150))
        XCTAssertEqual(run.status, 0, run.stderr)
        let figures = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout)
        XCTAssertEqual(figures["completed"] as? Int, 40)
        let cpu = try XCTUnwrap(figures["burstCPUMillisecondsPerObjective"] as? [String: Double], run.stdout)
        XCTAssertEqual(Set(cpu.keys), ["orchestrator-1", "coding-1", "reviewer-1", "compliance-1", "audit-sink-1"])
        for (process, milliseconds) in cpu {
            XCTAssertGreaterThan(milliseconds, 0, "\(process) did work for the objectives")
        }
        // The mesh's total leaves out the broker and the load generator, each reported apart.
        let total = try XCTUnwrap(figures["burstCPUMillisecondsPerObjectiveTotal"] as? Double)
        XCTAssertEqual(total, cpu.values.reduce(0, +), accuracy: 1e-9)
        XCTAssertGreaterThan(figures["brokerCPUMillisecondsPerObjective"] as? Double ?? 0, 0, run.stdout)
        XCTAssertGreaterThan(figures["loadCPUMillisecondsPerObjective"] as? Double ?? 0, 0, run.stdout)
        XCTAssertEqual(figures["targetPacedP99Milliseconds"] as? Double, 50)

        // The real sink's SQLite store, checked against the topics and verified.
        let audit = try XCTUnwrap(figures["audit"] as? [String: Any], run.stdout)
        let coverage = try XCTUnwrap(audit["coverage"] as? [String: Int], run.stdout)
        XCTAssertEqual(coverage["missing"], 0, run.stdout)
        XCTAssertEqual(coverage["duplicates"], 0, run.stdout)
        XCTAssertEqual(coverage["unexpected"], 0, run.stdout)
        XCTAssertEqual(coverage["stored"], coverage["published"], run.stdout)
        XCTAssertEqual(audit["rejected"] as? Int, 0, run.stdout)
        XCTAssertEqual(audit["verified"] as? Bool, true, run.stdout)
        XCTAssertGreaterThan(audit["checkpoints"] as? Int ?? 0, 0, "the sink checkpoints on the way out")
        // Objective, plan, task, result, two verdicts, status and completion at least.
        XCTAssertGreaterThanOrEqual(audit["envelopesPerObjective"] as? Double ?? 0, 8, run.stdout)
        XCTAssertTrue(run.stderr.contains("audit-sink-1 stopped (exited with status 0)"), run.stderr)
    }
}

/// `--tracing`: the same load with tracing off and on, each on fresh processes, in one run.
final class PipelineBenchTracingTests: XCTestCase {
    func testTracingRunsTheLoadOffAndOnAndCountsTheSpansReceived() async throws {
        let output = try TemporaryDirectory()
        defer { output.remove() }
        let run = try await runToCompletion(
            try Executables.url("meshctl"),
            ["bench", "pipeline", "--objectives", "30", "--paced-seconds", "0.5", "--tracing", "--json"],
            workingDirectory: repositoryRoot(), outputDirectory: output.url, timeout: .seconds(180))
        XCTAssertEqual(run.status, 0, run.stderr)
        let comparison = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout)
        let runs = try XCTUnwrap(comparison["runs"] as? [[String: Any]], run.stdout)
        XCTAssertEqual(runs.map { $0["tracing"] as? Bool }, [false, true])
        XCTAssertNil(runs[0]["spansReceived"] as? Int, "nothing is exported with tracing off")
        // A process span per input and a send span per output: about twenty per objective
        // (TracingTests counts 21 below meshctl's root), all at the bench's own receiver.
        let perObjective = try XCTUnwrap(runs[1]["spansPerObjective"] as? Double, run.stdout)
        XCTAssertGreaterThan(perObjective, 10)
        XCTAssertNotNil(comparison["tracingThroughputRatio"] as? Double)
        for figures in runs { XCTAssertEqual(figures["completed"] as? Int, 30) }
    }
}
