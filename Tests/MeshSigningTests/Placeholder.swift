import XCTest

final class MeshSigningTestsPlaceholder: XCTestCase {}
