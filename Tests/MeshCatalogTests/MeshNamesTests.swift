import XCTest
@testable import MeshCatalog

/// The structural names in `MeshRoles`/`MeshTopics` are declared in the shipped catalog.
final class MeshNamesTests: XCTestCase {
    func testEveryWellKnownRoleIsDeclaredWithItsKind() throws {
        let catalog = try CatalogLoader.load(directory: Fixtures.topicsDirectory)
        for (name, kind) in MeshRoles.all {
            XCTAssertEqual(catalog.role(named: name)?.kind, kind, "role \(name) in Topics/")
        }
    }

    func testEveryWellKnownTopicIsDeclared() throws {
        let catalog = try CatalogLoader.load(directory: Fixtures.topicsDirectory)
        for name in MeshTopics.all {
            XCTAssertNotNil(catalog.topic(named: name), "topic \(name) in Topics/")
        }
        XCTAssertEqual(catalog.deadLetterTopic?.name, MeshTopics.deadLetter)
        XCTAssertEqual(catalog.topics(declaring: "agentmesh.agent.heartbeat.v1").map(\.name), [MeshTopics.agents])
    }
}
