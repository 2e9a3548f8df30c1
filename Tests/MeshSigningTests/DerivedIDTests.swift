import MeshSigning
import XCTest

final class DerivedIDTests: XCTestCase {
    func testSameInputsGiveTheSameUUIDShapedID() {
        let first = DerivedID.make(causeID: "e-1", role: "reviewer", output: "verdict")
        XCTAssertEqual(first, DerivedID.make(causeID: "e-1", role: "reviewer", output: "verdict"))
        XCTAssertEqual(first.count, 36)
        let parts = first.split(separator: "-")
        XCTAssertEqual(parts.map(\.count), [8, 4, 4, 4, 12])
        XCTAssertTrue(parts[2].hasPrefix("8"), "version 8")
        XCTAssertTrue("89ab".contains(parts[3].first!), "RFC 9562 variant")
    }

    func testEveryPartMattersAndConcatenationCannotCollide() {
        let base = DerivedID.make(causeID: "e-1", role: "reviewer", output: "verdict", discriminator: "t1")
        XCTAssertNotEqual(base, DerivedID.make(causeID: "e-2", role: "reviewer", output: "verdict", discriminator: "t1"))
        XCTAssertNotEqual(base, DerivedID.make(causeID: "e-1", role: "compliance", output: "verdict", discriminator: "t1"))
        XCTAssertNotEqual(base, DerivedID.make(causeID: "e-1", role: "reviewer", output: "status", discriminator: "t1"))
        XCTAssertNotEqual(base, DerivedID.make(causeID: "e-1", role: "reviewer", output: "verdict", discriminator: "t2"))
        XCTAssertNotEqual(
            DerivedID.make(causeID: "ab", role: "c", output: "x"), DerivedID.make(causeID: "a", role: "bc", output: "x"))
    }

    /// Ids are part of recorded history (replay compares them): the derivation must never
    /// change. Expected values computed independently from the documented construction.
    func testDerivationIsPinned() {
        XCTAssertEqual(DerivedID.make(causeID: "e-1", role: "reviewer", output: "verdict"), "6c273ede-00e2-86dc-b27a-e4c36339d59b")
        XCTAssertEqual(
            DerivedID.make(
                causeID: "01890a5d-ac96-774b-bcce-b302099a8057", role: "orchestrator", output: "assign",
                discriminator: "implement/2"),
            "8326831c-2555-83bf-88de-4007800c3927")
    }
}
