import XCTest
@testable import MeshCompliance

final class PolicyLoaderTests: XCTestCase {
    let loader = PolicyPackLoader()

    func testShippedPacksLoad() throws {
        let b = shippedBundle
        XCTAssertEqual(b.packs.map(\.id), ["hipaa-safe-harbor", "iec62304", "part11", "secrets"])
        XCTAssertGreaterThanOrEqual(b.rules.count, 30)
        XCTAssertEqual(b.hash.count, 64)
        XCTAssertEqual(b.rules.map(\.id), b.rules.map(\.id).sorted())
        // Every registered detector is used by at least one shipped rule.
        XCTAssertEqual(Set(b.rules.map(\.detectorName)), Set(DetectorRegistry.standard.names))
        // What a result cannot carry when judged (a signature, a person's review) is obtained
        // as the orchestrator's signed approval instead of failing the work.
        XCTAssertEqual(b.rules.filter { $0.onMatch == .requireApproval }.map(\.id),
                       ["iec62304-human-approval-class-c", "part11-signature-high-risk", "part11-signature-release"])
    }

    func error(_ yaml: String, file: String = "Policies/test.yaml") -> String {
        do {
            _ = try loader.load(yaml: yaml, file: file)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    let header = "id: test\nversion: 1.0.0\nrules:\n"

    func testUnknownDetector() {
        let yaml = header + """
          - id: aws-access-key
            severity: high
            on_match: reject
            detector: aws_key
        """
        let msg = error(yaml, file: "Policies/secrets.yaml")
        XCTAssertTrue(msg.hasPrefix("Policies/secrets.yaml:7: rule \"aws-access-key\": field \"detector\": unknown detector \"aws_key\"; known: age_over_89, aws_access_key_id"), msg)
    }

    func testFieldErrorsCarryLines() {
        let rule = "  - id: r1\n    detector: email\n    severity: high\n    on_match: reject\n"
        XCTAssertEqual(error(header + rule.replacingOccurrences(of: "high", with: "severe")),
                       "Policies/test.yaml:6: rule \"r1\": field \"severity\": unknown severity \"severe\"; known: info, low, medium, high, critical")
        XCTAssertEqual(error(header + rule.replacingOccurrences(of: "on_match: reject", with: "on_match: approve")),
                       "Policies/test.yaml:7: rule \"r1\": field \"on_match\": expected request_changes, reject, require_approval, got \"approve\"")
        XCTAssertEqual(error(header + rule + "    severty: low\n"),
                       "Policies/test.yaml:8: rule \"r1\": field \"severty\": unknown field; allowed: allow_list, description, detector, id, on_match, parameters, scope, severity")
        XCTAssertEqual(error(header + rule.replacingOccurrences(of: "    severity: high\n", with: "")),
                       "Policies/test.yaml:4: rule \"r1\": field \"severity\": missing required field")
        XCTAssertEqual(error(header + rule + "    scope:\n      min_risk: extreme\n"),
                       "Policies/test.yaml:9: rule \"r1\": field \"scope.min_risk\": unknown risk class \"extreme\"; known: low, medium, high, critical")
        XCTAssertEqual(error(header + rule + "  - id: r1\n    detector: email\n    severity: low\n    on_match: reject\n"),
                       "Policies/test.yaml:8: rule \"r1\": field \"id\": duplicate rule id in pack")
        XCTAssertEqual(error("id: test\nversion: 1\nrules: {}\n"), "Policies/test.yaml:3: field \"rules\": expected a list of rules")
        XCTAssertEqual(error("version: 1\nrules: []\n"), "Policies/test.yaml:1: field \"id\": missing required field")
        XCTAssertEqual(error("id: Bad Id\nversion: 1\nrules: []\n"),
                       "Policies/test.yaml:1: field \"id\": invalid id \"Bad Id\" (use lowercase letters, digits, '-', '_', '.')")
    }

    func testParameterErrors() {
        let base = "  - id: mrn\n    detector: labelled_identifier\n    severity: high\n    on_match: reject\n    parameters:\n"
        XCTAssertEqual(error(header + base + "      labels: [MRN]\n      min_digits: lots\n"),
                       "Policies/test.yaml:10: rule \"mrn\": field \"parameters.min_digits\": expected an integer in 1...64, got \"lots\"")
        XCTAssertEqual(error(header + base + "      labels: [MRN]\n      lables: [x]\n"),
                       "Policies/test.yaml:10: rule \"mrn\": field \"parameters.lables\": unknown parameter \"lables\"; accepted: class, kind, labels, min_digits")
        XCTAssertEqual(error(header + base + "      kind: x\n"),
                       "Policies/test.yaml:9: rule \"mrn\": field \"parameters.labels\": at least one label is required")
    }

    func testYAMLSyntaxError() {
        let msg = error("id: test\nversion: 1\nrules:\n  - id: [unclosed\n")
        XCTAssertTrue(msg.hasPrefix("Policies/test.yaml:"), msg)
        XCTAssertTrue(msg.contains("YAML syntax error"), msg)
    }

    func testDuplicateRuleAcrossPacks() throws {
        let a = "id: a\nversion: 1\nrules:\n  - id: same\n    detector: email\n    severity: low\n    on_match: reject\n"
        let b = a.replacingOccurrences(of: "id: a", with: "id: b")
        XCTAssertThrowsError(try PolicyBundle(sources: [("a.yaml", a), ("b.yaml", b)])) { e in
            XCTAssertTrue("\(e)".contains("duplicate rule id"), "\(e)")
        }
    }
}

final class BundleHashTests: XCTestCase {
    let pack = """
    id: p
    version: 1.0.0
    rules:
      - id: r1
        detector: email
        severity: high
        on_match: reject
        allow_list: ["*@example.com"]
    """
    let other = "id: q\nversion: 1\nrules:\n  - id: r2\n    detector: ipv4\n    severity: low\n    on_match: request_changes\n"

    func testStableAcrossFileOrderAndFormatting() throws {
        let h1 = try PolicyBundle(sources: [("p.yaml", pack), ("q.yaml", other)]).hash
        let h2 = try PolicyBundle(sources: [("q.yaml", other), ("p.yaml", pack)]).hash
        XCTAssertEqual(h1, h2)
        // Same content, different formatting: comments, flow style, quoting, key order, indentation.
        let reformatted = """
        # a comment
        version: "1.0.0"
        id: 'p'
        rules:
        -   {on_match: reject, severity: high, detector: email, id: r1, allow_list: ['*@example.com']}
        """
        let h3 = try PolicyBundle(sources: [("renamed.yaml", reformatted), ("q.yaml", other)]).hash
        XCTAssertEqual(h1, h3)
        XCTAssertEqual(try PolicyBundle(sources: [("p.yaml", pack)]).hash, try PolicyBundle(sources: [("p.yaml", pack)]).hash)
    }

    func testChangedRuleChangesHash() throws {
        let h = try PolicyBundle(sources: [("p.yaml", pack)]).hash
        for change in [("severity: high", "severity: critical"), ("*@example.com", "*@example.org"), ("version: 1.0.0", "version: 1.0.1")] {
            let changed = pack.replacingOccurrences(of: change.0, with: change.1)
            XCTAssertNotEqual(try PolicyBundle(sources: [("p.yaml", changed)]).hash, h, "\(change)")
        }
        XCTAssertNotEqual(try PolicyBundle(sources: [("p.yaml", pack), ("q.yaml", other)]).hash, h)
    }
}
