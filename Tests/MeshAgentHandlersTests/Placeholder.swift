import XCTest

final class MeshAgentHandlersTestsPlaceholder: XCTestCase {}
