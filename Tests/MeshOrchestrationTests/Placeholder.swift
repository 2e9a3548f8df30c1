import XCTest

final class MeshOrchestrationTestsPlaceholder: XCTestCase {}
