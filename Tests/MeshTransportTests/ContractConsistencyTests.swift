import MeshCatalog
import MeshWire
import XCTest

/// The catalog module keeps its own list of envelope types (it does not depend on the wire
/// module); this keeps the two from drifting apart.
final class ContractConsistencyTests: XCTestCase {
    func testTheCatalogKnowsExactlyTheWireContractsEnvelopeTypes() {
        XCTAssertEqual(MeshEnvelopeTypes.standard, Set(PayloadKind.allCases.map(\.rawValue)))
    }

    func testEveryEnvelopeTypeTravelsOnSomeCatalogTopic() throws {
        let catalog = try CatalogLoader.load(directory: URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Topics"))
        for kind in PayloadKind.allCases {
            XCTAssertFalse(catalog.topics.filter { $0.types.contains(kind.rawValue) }.isEmpty, "\(kind.rawValue) has no topic")
        }
    }
}
