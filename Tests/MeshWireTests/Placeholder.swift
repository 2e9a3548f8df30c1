import XCTest

final class MeshWireTestsPlaceholder: XCTestCase {}
