import Foundation
import MeshTestSupport
import XCTest

/// `meshctl bench console --json` prints only the figures on stdout, so it can be piped into a
/// JSON tool; the lifecycle lines of the processes it starts go to stderr. A small run: the
/// timings are not judged here, but every stream must have got every status event.
final class ConsoleBenchCommandTests: XCTestCase {
    func testJSONModePrintsOnlyJSONOnStdout() async throws {
        let workspace = try TemporaryDirectory()
        defer { workspace.remove() }
        let run = try await runToCompletion(
            try Executables.url("meshctl"),
            ["bench", "console", "--plans", "20", "--requests", "4", "--streams", "2", "--rate", "20", "--seconds", "1", "--json",
             "--catalog", MeshHarness.root.appendingPathComponent("Topics").path],
            workingDirectory: workspace.url, timeout: .seconds(180))
        XCTAssertEqual(run.status, 0, run.stderr)
        let figures = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout)
        XCTAssertEqual(figures["plans"] as? Int, 20)
        XCTAssertEqual(figures["streams"] as? Int, 2)
        XCTAssertEqual(figures["statusEventsPublished"] as? Int, 20)
        XCTAssertEqual(figures["deliveryFailures"] as? Int, 0)
        XCTAssertEqual(figures["streamsWithEveryEvent"] as? Int, 2, "each stream got each status event: \(run.stdout)")
        XCTAssertTrue(run.stderr.contains("[up] console-1 stopped (exited with status 0)"), "the lifecycle lines are on stderr: \(run.stderr)")
    }
}
