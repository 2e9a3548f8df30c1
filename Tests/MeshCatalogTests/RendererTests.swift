import XCTest
@testable import MeshCatalog

final class RendererTests: XCTestCase {
    func testTableListsEveryTopicAlignedWithMarks() throws {
        let catalog = try CatalogLoader.load(directory: Fixtures.topicsDirectory)
        let table = CatalogRenderer.table(catalog)
        let lines = table.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertTrue(lines[0].hasPrefix("TOPIC"))
        for topic in catalog.topics { XCTAssertTrue(table.contains(topic.name), topic.name) }
        XCTAssertTrue(table.contains("mesh.objectives *"))
        XCTAssertTrue(table.contains("mesh.deadletter †"))
        XCTAssertFalse(table.contains("mesh.plans *"))
        // Columns line up: KEY starts at the same offset on every row.
        let keyColumn = lines[0].range(of: "KEY")!.lowerBound.utf16Offset(in: lines[0])
        let row = lines[1 + catalog.topics.firstIndex { $0.name == "mesh.agents" }!]
        XCTAssertEqual(String(row).dropFirst(keyColumn).prefix(8), "agent_id")
    }

    func testMarkdownDocumentsRolesTopicsAndCoPartitioning() throws {
        let catalog = try CatalogLoader.load(directory: Fixtures.topicsDirectory)
        let markdown = CatalogRenderer.markdown(catalog)
        XCTAssertTrue(markdown.hasPrefix("# AgentMesh topics\n"))
        XCTAssertTrue(markdown.contains("## Roles"))
        XCTAssertTrue(markdown.contains("| `approver` | person |"))
        XCTAssertTrue(markdown.contains("## Orchestrator inputs (co-partitioned)"))
        XCTAssertTrue(markdown.contains("- `mesh.orchestrator.changelog` (12 partitions)"))
        XCTAssertTrue(markdown.contains("with the `consistent_random` partitioner"), "the docs state the partitioner")
        for topic in catalog.topics { XCTAssertTrue(markdown.contains("### `\(topic.name)`"), topic.name) }
        XCTAssertTrue(markdown.contains("`approver` (agentmesh.approval.decision.v1)"))
        XCTAssertTrue(markdown.contains("`retention.ms=-1`"))
        XCTAssertTrue(markdown.contains("- **Tasks for:** `ux`"))
    }

    func testSuggestions() {
        XCTAssertEqual(Suggestions.editDistance("partitons", "partitions"), 1)
        XCTAssertEqual(Suggestions.closest(to: "replicaton", in: CatalogParser.topicFields), "replication")
        XCTAssertNil(Suggestions.closest(to: "zzzzzz", in: CatalogParser.topicFields))
    }
}
