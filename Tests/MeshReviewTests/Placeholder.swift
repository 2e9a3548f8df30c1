import XCTest

final class MeshReviewTestsPlaceholder: XCTestCase {}
