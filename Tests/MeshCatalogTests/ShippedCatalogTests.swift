import XCTest
@testable import MeshCatalog

final class ShippedCatalogTests: XCTestCase {
    func testShippedCatalogLoadsWithoutErrorsOrWarnings() throws {
        let catalog: Catalog
        do {
            catalog = try CatalogLoader.load(directory: Fixtures.topicsDirectory)
        } catch {
            return XCTFail("shipped catalog rejected:\n\(error)")
        }
        XCTAssertEqual(catalog.version, 1)
        XCTAssertEqual(catalog.warnings, [], catalog.warnings.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(catalog.roles.count, 13)
        XCTAssertEqual(catalog.topics.count, 16)
    }

    func testBaseFixtureIsValid() throws {
        let catalog = try CatalogLoader.parse(yaml: Fixtures.base, fileName: Fixtures.fileName)
        XCTAssertEqual(catalog.topics.map(\.name),
                       ["mesh.objectives", "mesh.results", "mesh.tasks.coding", "mesh.deadletter"])
    }

    func testShippedCatalogUsesEveryStandardEnvelopeType() throws {
        let catalog = try CatalogLoader.load(directory: Fixtures.topicsDirectory)
        var carried: Set<String> = []
        for topic in catalog.topics {
            if case .only(let names) = topic.types { carried.formUnion(names) }
        }
        XCTAssertEqual(carried, MeshEnvelopeTypes.declarable)
    }

    func testTheAuditCheckpointTopicIsDeclaredAndOnlyTheSinkProducesThere() throws {
        let catalog = try CatalogLoader.load(directory: Fixtures.topicsDirectory)
        let topics = catalog.topics(declaring: "agentmesh.audit.checkpoint.v1")
        XCTAssertEqual(topics.map(\.name), ["mesh.audit.checkpoints"], "one topic, and not the dead-letter topic that carries any type")
        XCTAssertEqual(catalog.roles.filter { catalog.mayProduce(role: $0.name, type: "agentmesh.audit.checkpoint.v1", on: "mesh.audit.checkpoints") }.map(\.name),
                       ["audit-sink"])
    }

    func testLoadSingleFileNamesParentFolder() throws {
        let catalog = try CatalogLoader.load(file: Fixtures.topicsDirectory.appendingPathComponent("mesh.yaml"))
        XCTAssertEqual(catalog.topics.first?.location.file, "Topics/mesh.yaml")
    }
}
