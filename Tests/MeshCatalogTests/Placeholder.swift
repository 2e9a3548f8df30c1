import XCTest

final class MeshCatalogTestsPlaceholder: XCTestCase {}
