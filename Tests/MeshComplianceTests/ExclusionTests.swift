import XCTest
@testable import MeshCompliance

/// Every exclusion of the shipped packs, with a value it lets through (suppressed, info,
/// naming it) and a near value it does not (the failing example that proves the rule is not
/// simply switching a detector off).
final class ExclusionTests: XCTestCase {
    struct Case {
        var exclusion: String
        var rule: String
        var excluded: String
        var flagged: String
    }

    static let cases: [Case] = [
        Case(exclusion: "reserved-example-domains", rule: "hipaa-email", excluded: "mail qa@staging.example.org", flagged: "mail qa@staging.mercy.org"),
        Case(exclusion: "reserved-example-domains", rule: "hipaa-url", excluded: "see https://portal.example.com/p/1", flagged: "see https://portal.mercy.org/p/1"),
        Case(exclusion: "reserved-example-domains", rule: "hipaa-email", excluded: "mail root@box.test", flagged: "mail root@box.tech"),
        Case(exclusion: "non-public-ip-ranges", rule: "hipaa-ipv4", excluded: "host 172.20.1.9", flagged: "host 172.32.1.9"),
        Case(exclusion: "non-public-ip-ranges", rule: "hipaa-ipv6", excluded: "host fd12:3456::1", flagged: "host 2606:4700::1111"),
        Case(exclusion: "non-public-ip-ranges", rule: "hipaa-url", excluded: "GET http://10.1.2.3:8080/api", flagged: "GET http://34.117.5.9:8080/api"),
        Case(exclusion: "standard-system-uris", rule: "hipaa-url", excluded: "system http://loinc.org", flagged: "system http://loinc.example-lab.com"),
        Case(exclusion: "standard-system-uris", rule: "hipaa-url", excluded: "coding http://terminology.hl7.org/CodeSystem/v2-0203", flagged: "coding http://hl7.fakehost.net/CodeSystem"),
        Case(exclusion: "public-reference-sites", rule: "hipaa-url", excluded: "per https://www.hhs.gov/hipaa", flagged: "per https://www.hhs.gov.evil.io/x"),
        Case(exclusion: "cms-sample-npi", rule: "hipaa-npi", excluded: "NPI 1234567893", flagged: "NPI 1245319599"),
        Case(exclusion: "sentinel-dates", rule: "hipaa-date", excluded: "DOB 1900-01-01", flagged: "DOB 1900-01-02"),
        Case(exclusion: "fictional-phone-numbers", rule: "hipaa-phone", excluded: "call 617-555-0142", flagged: "call 617-555-0242"),
        Case(exclusion: "organisation-support-lines", rule: "hipaa-phone", excluded: "call 1-888-642-7100", flagged: "call 1-888-642-7101"),
        Case(exclusion: "organisation-address", rule: "hipaa-street-address", excluded: "visit 500 Harbor Point Blvd, Suite 400", flagged: "visit 502 Harbor Point Blvd, Suite 400"),
        Case(exclusion: "workforce-email-domains", rule: "hipaa-email", excluded: "from dana.kim@northwind-health.org", flagged: "from dana.kim@northwind-health.net"),
        Case(exclusion: "secret-placeholders", rule: "secret-aws-access-key-id", excluded: "key AKIAXXXXXXXXXXXXXXXX", flagged: "key AKIAZ7VRSQ5TJN2XK4PA"),
        Case(exclusion: "secret-placeholders", rule: "secret-aws-access-key-id", excluded: "key AKIAIOSFODNN7EXAMPLE", flagged: "key AKIAIOSFODNN7EXAMPLF"),
        Case(exclusion: "secret-placeholders", rule: "secret-google-api-key", excluded: "key AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", flagged: "key AIzaSyD3kR9mXq2LpT7vB4nW8cZ1yH6jF0sGtUe"),
        Case(exclusion: "secret-placeholders", rule: "secret-slack-token", excluded: "SLACK=xoxb-XXXXXXXXXXXX-XXXXXXXXXXXX",
             flagged: "SLACK=xoxb-1234567890-0987654321-AbCdXxxxEfGhIjKlMnOpQrSt"),
        Case(exclusion: "github-token-checksum", rule: "secret-github-token", excluded: "t ghp_k3Jd9QpL2mXv8RtY6wZs1NcB4hGf7T3deMW9", flagged: "t 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"),
        Case(exclusion: "secret-placeholders", rule: "secret-slack-token", excluded: "SLACK=xoxb-your-bot-token-here", flagged: "SLACK=xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"),
        Case(exclusion: "secret-placeholders", rule: "secret-connection-url-password", excluded: "postgresql://app:<password>@db/x", flagged: "postgresql://app:Vq8rT2mXk9@db/x"),
        Case(exclusion: "secret-placeholders", rule: "secret-jwt", excluded: "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
             flagged: "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5ODc2NTQzMjEwIiwicm9sZSI6ImFkbWluIn0.k3Jd9QpL2mXv8RtY6wZs1NcB4hGf7TuE0aKqQ"),
    ]

    func evaluate(_ text: String) -> ComplianceEvaluation {
        shippedBundle.evaluate(ComplianceSubject(taskId: "t", role: "coder", risk: .low,
                                                 artifacts: [Artifact(name: "a.txt", mediaType: "text/plain", content: text)]))
    }

    func testEveryShippedExclusionHasACase() {
        XCTAssertEqual(Set(shippedBundle.exclusions.map(\.id)), Set(Self.cases.map(\.exclusion)))
    }

    func testExcludedValuesAreSuppressedAtInfoNamingTheExclusion() {
        for c in Self.cases {
            let e = evaluate(c.excluded)
            XCTAssertFalse(e.findings.contains { $0.ruleId == c.rule }, "\(c.exclusion): \(c.excluded) -> \(e.findings)")
            let s = e.suppressed.first { $0.ruleId == c.rule }
            XCTAssertEqual(s?.excludedBy, c.exclusion, "\(c.excluded) -> \(e.suppressed)")
            XCTAssertEqual(s?.severity, .info)
            XCTAssertFalse(e.decidingRuleIds.contains(c.rule))
        }
    }

    func testNearValuesAreStillFlagged() {
        for c in Self.cases {
            let e = evaluate(c.flagged)
            XCTAssertTrue(e.findings.contains { $0.ruleId == c.rule }, "\(c.exclusion): \(c.flagged) not flagged; suppressed: \(e.suppressed)")
        }
    }

    func testLoaderRejectsBadExclusions() {
        let pack = """
            id: p
            version: 1.0.0
            rules: []
            exclusions:
              - id: nets
                kind: ip_range
                parameters:
                  ranges: [10.0.0.0/33]
            """
        XCTAssertThrowsError(try PolicyBundle(sources: [("p.yaml", pack)])) { error in
            XCTAssertEqual("\(error)", "p.yaml:8: rule \"nets\": field \"parameters.ranges\": \"10.0.0.0/33\" is not an IPv4 or IPv6 CIDR range")
        }
        let unknown = pack.replacingOccurrences(of: "ip_range", with: "ip_ranges")
        XCTAssertThrowsError(try PolicyBundle(sources: [("p.yaml", unknown)])) { error in
            XCTAssertTrue("\(error)".contains("unknown exclusion kind \"ip_ranges\""), "\(error)")
        }
    }
}
