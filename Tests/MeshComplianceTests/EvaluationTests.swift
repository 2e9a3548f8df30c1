import XCTest
@testable import MeshCompliance

final class EvaluationTests: XCTestCase {
    let bundle = shippedBundle

    func note(_ text: String, name: String = "note.md", type: String = "text/markdown") -> Artifact {
        Artifact(name: name, mediaType: type, content: text)
    }

    func testCleanSubjectIsApproved() {
        let s = subject(risk: .low, artifacts: [note("# Design\nThe service stores nothing identifying. Released in 2024.")])
        let e = bundle.evaluate(s)
        XCTAssertEqual(e.decision, .approve)
        XCTAssertEqual(e.findings, [])
        XCTAssertEqual(e.decidingRuleIds, [])
        XCTAssertEqual(e.bundleHash, bundle.hash)
    }

    func testOrdinaryCodeAndProseProduceNoFindings() {
        let code = """
        // Retry policy v2024 (see policy bundle 1.2.3, ticket 12345)
        let port = 8080, timeout = 30.5, build = "1.2.3.4-beta"
        let color = 0xFF5733; let uuid = "3f2a9c1e-4b7d-4e8a-9c1f-2d3e4a5b6c7d"
        func hash(password: String) -> String { sha256(password) }
        if password == storedHash { return }
        let key = ProcessInfo.processInfo.environment["API_KEY"]
        for i in 0..<1000 { total += i * 31 }   // 2021 benchmark, 99 percentile
        account.balance = 12; members.count > 4096
        """
        let e = bundle.evaluate(subject(risk: .low, artifacts: [note(code, name: "Retry.swift", type: "text/x-swift")]))
        XCTAssertEqual(e.findings, [], e.findings.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(e.decision, .approve)
    }

    func testSSNRequestsChangesWithMaskedFindingAndLocation() {
        // Identifiers are sent back for rework: the agent can remove them.
        let e = bundle.evaluate(subject(risk: .low, artifacts: [note("Summary\nSSN 287-65-4321 on file")]))
        XCTAssertEqual(e.decision, .requestChanges)
        XCTAssertEqual(e.decidingRuleIds, ["hipaa-ssn"])
        XCTAssertEqual(e.findings, [Finding(ruleId: "hipaa-ssn", severity: .critical, message: "SSN ***-**-4321", location: "note.md:2:5",
                                            identifierClass: .ssn, artifact: "note.md", start: 12, end: 23, line: 2, column: 5,
                                            masked: "***-**-4321")])
    }

    func testDecisionPrecedence() {
        let phoneOnly = bundle.evaluate(subject(risk: .low, artifacts: [note("call 415-555-2671")]))
        XCTAssertEqual(phoneOnly.decision, .requestChanges)
        XCTAssertEqual(phoneOnly.decidingRuleIds, ["hipaa-phone"])

        let identifiers = "call 415-555-2671\nSSN 287-65-4321\nMRN: 88123456"
        let all = bundle.evaluate(subject(risk: .low, artifacts: [note(identifiers)]))
        XCTAssertEqual(all.decision, .requestChanges)
        XCTAssertEqual(all.decidingRuleIds, ["hipaa-mrn", "hipaa-phone", "hipaa-ssn"])
        XCTAssertEqual(all.findings.map(\.ruleId), ["hipaa-phone", "hipaa-ssn", "hipaa-mrn"])

        // A live credential is rejected, and reject outranks every request for changes.
        let withKey = bundle.evaluate(subject(risk: .low, artifacts: [note(identifiers + "\nkey AKIAZ7VRSQ5TJN2XK4PA")]))
        XCTAssertEqual(withKey.decision, .reject)
        XCTAssertEqual(withKey.decidingRuleIds, ["secret-aws-access-key-id"])
    }

    func testAllowListedExampleKeyIsSuppressedNotDeciding() {
        let code = "let id = \"AKIAIOSFODNN7EXAMPLE\"\nlet secret_access_key = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\""
        let e = bundle.evaluate(subject(risk: .low, artifacts: [note(code, name: "Config.swift", type: "text/x-swift")]))
        XCTAssertEqual(e.decision, .approve)
        XCTAssertEqual(e.suppressed.map(\.ruleId), ["secret-aws-access-key-id", "secret-aws-secret-key"])
        XCTAssertEqual(e.suppressed.first?.location, "Config.swift:1:11")

        let real = bundle.evaluate(subject(risk: .low, artifacts: [note("let id = \"\(Fake.awsKeyId)\"", name: "C.swift", type: "text/x-swift")]))
        XCTAssertEqual(real.decision, .reject)
        XCTAssertEqual(real.decidingRuleIds, ["secret-aws-access-key-id"])
    }

    func testScopes() {
        // Dates are PHI when they are about a person, in any kind of file; a release date is not.
        let date = "admitted 2024-05-12"
        XCTAssertEqual(bundle.evaluate(subject(risk: .low, artifacts: [note(date)])).decidingRuleIds, ["hipaa-date"])
        XCTAssertEqual(bundle.evaluate(subject(risk: .low, artifacts: [note("let dob = \"1961-03-14\"", name: "a.swift", type: "text/x-swift")])).decidingRuleIds, ["hipaa-date"])
        XCTAssertEqual(bundle.evaluate(subject(risk: .low, artifacts: [note("let releaseDate = \"2024-05-12\"", name: "a.swift", type: "text/x-swift")])).decision, .approve)
        XCTAssertEqual(bundle.evaluate(subject(risk: .low, artifacts: [note("Released 2024-05-12.")])).decision, .approve)

        // Part 11: signatures only required from high risk up, or for release records. An
        // unsigned record is accepted only with a human e-signature (require_approval).
        let medium = bundle.evaluate(subject(risk: .medium))
        XCTAssertEqual(medium.decision, .approve)
        XCTAssertEqual(medium.approvalRequiredBy, [])
        let high = bundle.evaluate(subject(risk: .high))
        XCTAssertEqual(high.decision, .approve)
        XCTAssertEqual(high.decidingRuleIds, [])
        XCTAssertEqual(high.approvalRequiredBy, ["part11-signature-high-risk"])
        XCTAssertEqual(high.findings.first?.location, "signatures")
        let release = bundle.evaluate(subject(risk: .low, role: "release-manager",
                                              signatures: [ElectronicSignature(printedName: "Ada", signedAt: "2026-01-02T03:04:05Z", meaning: "authorship")]))
        XCTAssertEqual(release.findings.map(\.location), ["signatures[0].meaning"])

        // IEC 62304 class C: trace + approval; class A: nothing.
        let c = bundle.evaluate(subject(risk: .low, safety: .c))
        XCTAssertEqual(c.decision, .reject)
        XCTAssertEqual(c.decidingRuleIds, ["iec62304-trace-class-c"])
        XCTAssertEqual(c.findings.map(\.ruleId), ["iec62304-human-approval-class-c", "iec62304-trace-class-c"])
        XCTAssertEqual(c.approvalRequiredBy, ["iec62304-human-approval-class-c"])
        let traced = bundle.evaluate(subject(risk: .low, safety: .c, attributes: ["requirement_ids": "SRS-101,REQ-7"]))
        XCTAssertEqual(traced.decision, .approve)
        XCTAssertEqual(traced.approvalRequiredBy, ["iec62304-human-approval-class-c"], "traced, but a person must still sign")
        let cOK = bundle.evaluate(subject(risk: .low, safety: .c, attributes: ["requirement_ids": "SRS-101,REQ-7"],
                                          approvals: [HumanApproval(approver: "qa.lead")]))
        XCTAssertEqual(cOK.decision, .approve)
        XCTAssertEqual(cOK.approvalRequiredBy, [])
        XCTAssertEqual(bundle.evaluate(subject(risk: .low, safety: .a)).decision, .approve)
        XCTAssertEqual(bundle.evaluate(subject(risk: .low, safety: .b)).decidingRuleIds, ["iec62304-trace-class-b"])
    }

    func testDeterminism() throws {
        let s = subject(risk: .critical, safety: .c, artifacts: [
            note(PHIFixture.text), note("Fax: 415-555-2672, jane@mercy.org", name: "b.txt", type: "text/plain"),
        ])
        let first = bundle.evaluate(s)
        for _ in 0..<5 { XCTAssertEqual(bundle.evaluate(s), first) }
        // Same packs loaded in a different order → same hash and same verdict.
        let names = try FileManager.default.contentsOfDirectory(atPath: policiesDirectory).filter { $0.hasSuffix(".yaml") }.sorted().reversed()
        let sources = try names.map { ($0, try String(contentsOfFile: policiesDirectory + "/" + $0, encoding: .utf8)) }
        let reloaded = try PolicyBundle(sources: sources)
        XCTAssertEqual(reloaded.hash, bundle.hash)
        XCTAssertEqual(reloaded.evaluate(s), first)
        // Findings are sorted by artifact then position.
        XCTAssertEqual(first.findings.prefix(3).map(\.location).allSatisfy { !$0.contains(":") }, true)
    }

    func testNoSensitiveValueIsEchoed() throws {
        let s = subject(risk: .low, artifacts: [note(PHIFixture.text), note(PHIFixture.secrets, name: "cfg.env", type: "text/plain")])
        let e = bundle.evaluate(s)
        let rendered = String(decoding: try JSONEncoder().encode(e), as: UTF8.self)
        XCTAssertGreaterThanOrEqual(Set(e.findings.map(\.ruleId)).count, 20, e.findings.map(\.description).joined(separator: "\n"))
        for raw in PHIFixture.rawValues { XCTAssertFalse(rendered.contains(raw), "echoed: \(raw)") }
    }
}

/// A note containing one of each PHI class, and a config file with one of each secret.
enum PHIFixture {
    static let text = """
    Patient: (name withheld)  SSN: 287-65-4321  MRN: 88123456
    Phone (415) 555-2671, Fax: 415-555-2672, email jane.doe@mercy.org
    Member ID: XJH448812, Acct # 99-0012-33, License: D1234567, Serial number: SN-44102938
    DOB 03/14/1961, admitted March 3, 2024. A 93-year-old. Address: Springfield, IL 62704
    Portal https://portal.mercy.org/p/12345 from 10.20.30.40 and 2001:4860:4860::8888
    Prescriber NPI 1234567893, DEA AB1234563, vehicle VIN 1M8GDM9AXKP042788
    """
    static let secrets = """
    AWS_ACCESS_KEY_ID=\(Fake.awsKeyId)
    aws_secret_access_key=\(Fake.awsSecret)
    GITHUB_TOKEN=\(Fake.github)
    SLACK=\(Fake.slack)
    GOOGLE=\(Fake.google)
    AUTH=Bearer \(Fake.jwt)
    DB_PASSWORD=hunter2hunter2
    -----BEGIN OPENSSH PRIVATE KEY-----
    \(Fake.pemBody)
    -----END OPENSSH PRIVATE KEY-----
    """
    static let rawValues = [
        "287-65-4321", "88123456", "555-2671", "555-2672", "jane.doe@mercy.org", "XJH448812", "99-0012-33", "D1234567",
        "44102938", "03/14/1961", "March 3", "62704", "portal.mercy.org", "10.20.30.40", "2001:4860", "1234567893",
        "AB1234563", "1M8GDM9AXKP042788", Fake.awsKeyId, Fake.awsSecret, Fake.github, Fake.slack, Fake.google, Fake.jwt,
        "hunter2hunter2", String(Fake.pemBody.prefix(20)),
    ]
}
