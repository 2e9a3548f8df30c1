import XCTest

final class MeshComplianceTestsPlaceholder: XCTestCase {}
