import XCTest

final class MeshKafkaTestsPlaceholder: XCTestCase {}
