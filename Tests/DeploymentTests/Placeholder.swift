import XCTest

final class DeploymentTestsPlaceholder: XCTestCase {}
