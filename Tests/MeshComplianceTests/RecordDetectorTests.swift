import XCTest
@testable import MeshCompliance

func subject(risk: RiskClass = .high, role: String = "coder", safety: SafetyClass? = nil,
             attributes: [String: String] = [:], signatures: [ElectronicSignature] = [],
             approvals: [HumanApproval] = [], artifacts: [Artifact] = []) -> ComplianceSubject {
    ComplianceSubject(taskId: "T-1", role: role, risk: risk, safetyClass: safety, attributes: attributes,
                      artifacts: artifacts, signatures: signatures, approvals: approvals)
}

final class Part11SignatureDetectorTests: XCTestCase {
    let d = Part11SignatureDetector()

    func testCompleteSignaturePasses() {
        let sig = ElectronicSignature(printedName: "Dr. Ada Byron", signedAt: "2026-03-01T14:05:00Z", meaning: "Approval")
        XCTAssertEqual(d.check(subject(signatures: [sig])), [])
        let sig2 = ElectronicSignature(printedName: "A B", signedAt: "2026-03-01T14:05:00.123+01:00", meaning: "review")
        XCTAssertEqual(d.check(subject(signatures: [sig2])), [])
    }

    func testMissingSignature() {
        XCTAssertEqual(d.check(subject()).map(\.location), ["signatures"])
    }

    func testMissingParts() {
        let sigs = [
            ElectronicSignature(printedName: " ", signedAt: nil, meaning: nil),
            ElectronicSignature(printedName: "X", signedAt: "2026-03-01T14:05:00", meaning: "because"),
            ElectronicSignature(printedName: "X", signedAt: "03/01/2026 2pm", meaning: "review"),
        ]
        XCTAssertEqual(d.check(subject(signatures: sigs)).map(\.location), [
            "signatures[0].printed_name", "signatures[0].signed_at", "signatures[0].meaning",
            "signatures[1].signed_at", "signatures[1].meaning",
            "signatures[2].signed_at",
        ])
    }

    func testISO8601() {
        for ok in ["2026-03-01T14:05Z", "2026-03-01T14:05:59+05:30", "2026-03-01 14:05:00-0800", "2026-12-31T23:59:60.5Z"] {
            XCTAssertTrue(Part11SignatureDetector.isISO8601WithZone(ok), ok)
        }
        for bad in ["2026-03-01", "2026-03-01T14:05:00", "2026-13-01T14:05Z", "2026-03-01T24:05Z", "2026-03-01T14:05Zjunk", "yesterday"] {
            XCTAssertFalse(Part11SignatureDetector.isISO8601WithZone(bad), bad)
        }
    }
}

final class IEC62304DetectorTests: XCTestCase {
    func testRequirementTrace() throws {
        let d = RequirementTraceDetector(pattern: try IdPattern("SRS-###|REQ-#+"))
        XCTAssertEqual(d.check(subject(attributes: ["requirement_ids": "SRS-012, REQ-7;REQ-12345"])), [])
        XCTAssertEqual(d.check(subject()).map(\.location), ["attributes.requirement_ids"])
        XCTAssertEqual(d.check(subject(attributes: ["requirement_ids": "  "])).count, 1)
        let bad = d.check(subject(attributes: ["requirement_ids": "SRS-12,SRS-0123,req-1,SRS-001"]))
        XCTAssertEqual(bad.count, 3)
        XCTAssertTrue(bad[0].message.contains("\"SRS-12\""))
    }

    func testIdPattern() throws {
        let p = try IdPattern("@@-#+|X#")
        XCTAssertTrue(p.matches("AB-1"))
        XCTAssertTrue(p.matches("ZZ-0099"))
        XCTAssertTrue(p.matches("X7"))
        XCTAssertFalse(p.matches("AB-"))
        XCTAssertFalse(p.matches("ab-1"))
        XCTAssertFalse(p.matches("X77"))
        XCTAssertThrowsError(try IdPattern("A||B"))
    }

    func testHumanApproval() {
        let d = HumanApprovalDetector(minApprovals: 1)
        XCTAssertEqual(d.check(subject(approvals: [HumanApproval(approver: "qa.lead")])), [])
        XCTAssertEqual(d.check(subject()).map(\.location), ["approvals"])
        XCTAssertEqual(d.check(subject(approvals: [HumanApproval(approver: " ")])).count, 1)
        let two = HumanApprovalDetector(minApprovals: 2, roles: ["qa"])
        XCTAssertEqual(two.check(subject(approvals: [HumanApproval(approver: "a", role: "qa"), HumanApproval(approver: "a", role: "qa")])).count, 1)
        XCTAssertEqual(two.check(subject(approvals: [HumanApproval(approver: "a", role: "qa"), HumanApproval(approver: "b", role: "qa")])), [])
        XCTAssertEqual(two.check(subject(approvals: [HumanApproval(approver: "a", role: "qa"), HumanApproval(approver: "b", role: "dev")])).count, 1)
    }
}
