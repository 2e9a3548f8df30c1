import XCTest

final class MeshAuditTestsPlaceholder: XCTestCase {}
