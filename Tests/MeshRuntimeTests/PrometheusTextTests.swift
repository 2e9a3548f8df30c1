import MeshRuntime
import XCTest

final class PrometheusTextTests: XCTestCase {
    func testLabelValuesEscapeBackslashQuoteAndLineFeed() {
        XCTAssertEqual(PrometheusText.escapeLabelValue(#"a\b"c"# + "\nd"), #"a\\b\"c\nd"#)
        XCTAssertEqual(PrometheusText.escapeLabelValue("mesh.results"), "mesh.results")
    }

    func testHelpEscapesBackslashAndLineFeedButNotQuotes() {
        XCTAssertEqual(PrometheusText.escapeHelp(#"say "hi" \ bye"# + "\nnext"), #"say "hi" \\ bye\nnext"#)
    }

    func testPageHasFamilyLinesAndEscapedLabels() {
        var page = PrometheusText()
        page.family("agentmesh_x_total", .counter, help: "Things.")
        page.sample("agentmesh_x_total", [("role", "sink"), ("topic", "evil\"} 1\nfake_metric{")], 3)
        page.sample("agentmesh_x_seconds", [], 0.5)
        XCTAssertEqual(page.output, """
            # HELP agentmesh_x_total Things.
            # TYPE agentmesh_x_total counter
            agentmesh_x_total{role="sink",topic="evil\\"} 1\\nfake_metric{"} 3
            agentmesh_x_seconds 0.5

            """)
        // A hostile topic name stays inside its label: one sample line, no injected metric.
        XCTAssertEqual(page.output.split(separator: "\n").filter { $0.hasPrefix("fake_metric") }.count, 0)
    }
}
