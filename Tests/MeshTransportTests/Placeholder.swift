import XCTest

final class MeshTransportTestsPlaceholder: XCTestCase {}
