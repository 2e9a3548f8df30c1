import MeshCompliance
@testable import MeshModel
import XCTest

final class EgressGuardTests: XCTestCase {
    func testPHIIsReplacedByStablePlaceholdersAndRestored() throws {
        var egress = EgressGuard(bundle: Fixtures.policies, policy: .pseudonymise, role: "coding")
        let first = try egress.screen([Fixtures.phiInput]).get()[0]
        for value in [Fixtures.ssn, Fixtures.patientName, Fixtures.mrn] {
            XCTAssertFalse(first.contains(value), "\(value) left in: \(first)")
        }
        XCTAssertTrue(first.contains("[SSN-1]") && first.contains("[NAME-1]") && first.contains("[MRN-1]"), first)
        // The same values in a later turn get the same placeholders.
        let second = try egress.screen(["again: " + Fixtures.phiInput]).get()[0]
        XCTAssertTrue(second.contains("[SSN-1]") && !second.contains("[SSN-2]"), second)
        XCTAssertEqual(egress.counts[.ssn], 1)
        XCTAssertEqual(egress.counts[.name], 1)
        XCTAssertEqual(egress.counts[.mrn], 1)
        XCTAssertEqual(egress.restore("Dear [NAME-1], record [MRN-1]"), "Dear \(Fixtures.patientName), record \(Fixtures.mrn)")
    }

    func testAllowSendsPHIAsIsButCountsIt() throws {
        var egress = EgressGuard(bundle: Fixtures.policies, policy: .allow, role: "coding")
        XCTAssertEqual(try egress.screen([Fixtures.phiInput]).get(), [Fixtures.phiInput])
        XCTAssertEqual(egress.counts[.ssn], 1)
    }

    func testLiveSecretRefusesTheRequestWithoutEchoingIt() {
        var egress = EgressGuard(bundle: Fixtures.policies, policy: .allow, role: "coding")
        let key = "AKIA" + "Q3EGRTZ7VXKBNW4H"
        guard case .failure(let refusal) = egress.screen(["deploy with \(key)"]) else { return XCTFail("secret not refused") }
        XCTAssertTrue(refusal.message.contains("live secret"), refusal.message)
        XCTAssertFalse(refusal.message.contains(key), refusal.message)
    }

    func testTextWithoutFindingsIsUnchanged() throws {
        var egress = EgressGuard(bundle: Fixtures.policies, policy: .pseudonymise, role: "coding")
        let text = "Refactor the parser; keep the public API."
        XCTAssertEqual(try egress.screen([text]).get(), [text])
        XCTAssertTrue(egress.counts.isEmpty)
    }
}
