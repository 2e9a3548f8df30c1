import Foundation
import MeshReview
import MeshWire
import XCTest

final class LoaderTests: XCTestCase {
    func testShippedRulesLoadAndHashTheFileBytes() throws {
        let path = repositoryRoot.appendingPathComponent("Rules/review.yaml").path
        let loaded = try ReviewRules.load(file: path)
        XCTAssertEqual(loaded.rulesVersion, "2025.1.0")
        XCTAssertEqual(loaded.rulesHash, sha256sum(path))
        XCTAssertEqual(loaded.rules.map(\.id), ["result.failed", "summary.empty", "artifacts.coding-source",
                                                "artifacts.documentation-markdown", "tests.missing", "size.artifact",
                                                "size.total", "markers.forbidden"])
        XCTAssertEqual(loaded.rules[0].source, "\(path):9")
    }

    func testShippedRulesJudgeTypicalResults() async throws {
        let engine = ReviewEngine(rules: try ReviewRules.load(file: repositoryRoot.appendingPathComponent("Rules/review.yaml").path))
        let good = result(artifacts: [artifact("Sources/A/A.swift", "struct A {}"), artifact("Tests/ATests/ATests.swift", "import XCTest")])
        let approved = await engine.review(result: good, role: "coding")
        XCTAssertEqual(approved.decision, .approve, "\(approved.findings)")
        let untested = await engine.review(result: result(artifacts: [artifact("Sources/A/A.swift", "// FIXME\n")]), role: "coding")
        XCTAssertEqual(untested.decision, .requestChanges)
        XCTAssertEqual(untested.decidedBy, ["tests.missing", "markers.forbidden"])
    }

    func testCRLFAndBOMHashLikeLF() throws {
        let lf = "rules_version: \"1\"\nrules: []\n"
        let crlf = "\u{FEFF}rules_version: \"1\"\r\nrules: []\r\n"
        XCTAssertEqual(try ReviewRules.parse(yaml: lf).rulesHash, try ReviewRules.parse(yaml: crlf).rulesHash)
        XCTAssertNotEqual(try ReviewRules.parse(yaml: lf).rulesHash, try ReviewRules.parse(yaml: lf + "# comment\n").rulesHash)
    }

    func assertLoadError(_ yaml: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ReviewRules.parse(yaml: yaml, file: "Rules/review.yaml"), file: file, line: line) { error in
            XCTAssertEqual((error as? ReviewRulesError)?.description, expected, file: file, line: line)
        }
    }

    func testErrorsNameFileLineRuleAndField() {
        let head = "rules_version: \"1\"\nrules:\n  - id: size.one\n    description: d\n"
        assertLoadError(head + "    kind: max_artifact_size\n    severity: high\n    on_match: reject\n    max_bytes: big\n",
                        #"Rules/review.yaml:8: rule "size.one": field "max_bytes": expected a size like 1048576 or 1MiB (B, KiB, MiB, GiB), got "big""#)
        assertLoadError(head + "    kind: max_artifact_size\n    severity: severe\n    on_match: reject\n    max_bytes: 10\n",
                        #"Rules/review.yaml:6: rule "size.one": field "severity": unknown severity "severe"; known: info, low, medium, high, critical"#)
        assertLoadError(head + "    kind: max_artifact_size\n    severity: high\n    on_match: approve\n    max_bytes: 10\n",
                        #"Rules/review.yaml:7: rule "size.one": field "on_match": expected request_changes or reject, got "approve""#)
        assertLoadError(head + "    kind: max_artifact_size\n    severity: high\n    on_match: reject\n    max_bytes: 10\n    maxbytes: 3\n",
                        #"Rules/review.yaml:9: rule "size.one": field "maxbytes": unknown field; allowed here: description, id, kind, max_bytes, on_match, roles, severity"#)
        assertLoadError(head + "    kind: max_size\n",
                        #"Rules/review.yaml:5: rule "size.one": field "kind": unknown kind "max_size"; known: code_without_tests, empty_summary, external_checker, failed_result, forbidden_markers, max_artifact_size, max_total_size, model_review, required_artifacts"#)
        assertLoadError(head + "    kind: max_artifact_size\n    on_match: reject\n    max_bytes: 10\n",
                        #"Rules/review.yaml:3: rule "size.one": field "severity": missing required field"#)
        assertLoadError(head + "    kind: forbidden_markers\n    severity: low\n    on_match: reject\n    markers: []\n",
                        #"Rules/review.yaml:8: rule "size.one": field "markers": expected a non-empty list of non-empty strings"#)
        assertLoadError(head + "    kind: external_checker\n    severity: low\n    on_match: reject\n    command: [x]\n    timeout: soon\n",
                        #"Rules/review.yaml:9: rule "size.one": field "timeout": expected a duration like 500ms, 10s or 2m, got "soon""#)
        assertLoadError(head + "    kind: required_artifacts\n    severity: low\n    on_match: reject\n    require:\n      - name: x\n",
                        #"Rules/review.yaml:9: rule "size.one": field "require[0].name": unknown field; allowed here: glob, media_type"#)
    }

    func testFileLevelErrors() {
        assertLoadError("rules: []\n", #"Rules/review.yaml:1: field "rules_version": missing required field"#)
        assertLoadError("rules_version: \"1\"\nrules: {}\n", #"Rules/review.yaml:2: field "rules": expected a list of rules"#)
        assertLoadError("rules_version: \"1\"\nrulez: []\n", #"Rules/review.yaml:2: field "rulez": unknown field; allowed here: description, rules, rules_version"#)
        assertLoadError("rules_version: \"1\"\nrules:\n  - id: Bad Id\n", #"Rules/review.yaml:3: field "id": rule ids use lower-case letters, digits, '.', '_' and '-', got "Bad Id""#)
        let rule = "  - id: a\n    description: d\n    kind: empty_summary\n    severity: low\n    on_match: reject\n"
        assertLoadError("rules_version: \"1\"\nrules:\n" + rule + rule, #"Rules/review.yaml:8: rule "a": field "id": duplicate rule id"#)
        XCTAssertThrowsError(try ReviewRules.parse(yaml: "rules_version: \"1\"\nrules: [\n  - x\n", file: "f.yaml")) { error in
            let description = (error as? ReviewRulesError)?.description ?? ""
            XCTAssertTrue(description.hasPrefix("f.yaml:3: YAML syntax error:"), description)
        }
        XCTAssertThrowsError(try ReviewRules.load(file: "/nonexistent/review.yaml")) { error in
            XCTAssertEqual((error as? ReviewRulesError)?.description, "/nonexistent/review.yaml:0: cannot read rule file")
        }
    }

    func testDirectoryLoadsFilesInOrderWithOneVersion() throws {
        let directory = try temporaryDirectory()
        let rule = { (id: String) in "  - id: \(id)\n    description: d\n    kind: empty_summary\n    severity: low\n    on_match: reject\n" }
        try ("rules_version: \"3\"\nrules:\n" + rule("b.rule")).write(to: directory.appendingPathComponent("20-b.yaml"), atomically: true, encoding: .utf8)
        try ("rules_version: \"3\"\nrules:\n" + rule("a.rule")).write(to: directory.appendingPathComponent("10-a.yml"), atomically: true, encoding: .utf8)
        try "ignored".write(to: directory.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        let loaded = try ReviewRules.load(directory: directory.path)
        XCTAssertEqual(loaded.rules.map(\.id), ["a.rule", "b.rule"])
        let manifest = "10-a.yml \(sha256sum(directory.appendingPathComponent("10-a.yml").path))\n20-b.yaml \(sha256sum(directory.appendingPathComponent("20-b.yaml").path))\n"
        XCTAssertEqual(loaded.rulesHash, try hashOf(manifest))

        try ("rules_version: \"4\"\nrules:\n" + rule("c.rule")).write(to: directory.appendingPathComponent("30-c.yaml"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ReviewRules.load(directory: directory.path)) { error in
            XCTAssertEqual((error as? ReviewRulesError)?.description,
                           "\(directory.path)/30-c.yaml:1: field \"rules_version\": \"4\" differs from \"3\" in the other files of the directory")
        }
        try ("rules_version: \"3\"\nrules:\n" + rule("a.rule")).write(to: directory.appendingPathComponent("30-c.yaml"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ReviewRules.load(directory: directory.path)) { error in
            XCTAssertEqual((error as? ReviewRulesError)?.description,
                           "\(directory.path)/30-c.yaml:3: rule \"a.rule\": field \"id\": duplicate rule id (also in another file)")
        }
    }

    private func hashOf(_ text: String) throws -> String {
        let path = try temporaryDirectory().appendingPathComponent("manifest").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return sha256sum(path)
    }
}
