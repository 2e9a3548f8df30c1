import MeshReview
import MeshWire
import XCTest

final class RuleKindTests: XCTestCase {
    func testRequiredArtifacts() async throws {
        let rule = """
              - id: req
                description: needs code and docs
                kind: required_artifacts
                severity: high
                on_match: request_changes
                require:
                  - glob: "Sources/**/*.swift"
                  - media_type: text/markdown
            """
        let ok = try await review(rule, result(artifacts: [artifact("Sources/A/A.swift", "x"), artifact("README.md", "x", mediaType: "text/markdown; charset=utf-8")]))
        XCTAssertEqual(ok.decision, .approve)
        XCTAssertEqual(ok.findings, [])
        let missing = try await review(rule, result(artifacts: [artifact("Sources/A.py", "x")]))
        XCTAssertEqual(missing.decision, .requestChanges)
        XCTAssertEqual(missing.decidedBy, ["req"])
        XCTAssertEqual(missing.findings.map(\.message), [#"missing required artifact: name matching "Sources/**/*.swift""#,
                                                         "missing required artifact: media type text/markdown"])
        XCTAssertEqual(missing.findings.first?.severity, .high)
    }

    func testRolesScopeRules() async throws {
        let rule = """
              - id: req
                description: d
                kind: required_artifacts
                roles: [coding]
                severity: high
                on_match: reject
                require: [{glob: "*.swift"}]
            """
        let other = try await review(rule, result(), role: "ux")
        XCTAssertEqual(other.decision, .approve)
        XCTAssertEqual(other.decidedBy, [])
        let coding = try await review(rule, result(), role: "coding")
        XCTAssertEqual(coding.decision, .reject)
    }

    func testMaxArtifactSize() async throws {
        let rule = """
              - id: size.one
                description: d
                kind: max_artifact_size
                severity: medium
                on_match: request_changes
                max_bytes: 1KiB
            """
        let ok = try await review(rule, result(artifacts: [artifact("a", String(repeating: "x", count: 1024))]))
        XCTAssertEqual(ok.decision, .approve)
        let big = try await review(rule, result(artifacts: [artifact("b", String(repeating: "x", count: 1536)), artifact("a", "x")]))
        XCTAssertEqual(big.decision, .requestChanges)
        XCTAssertEqual(big.findings, [Finding(ruleID: "size.one", severity: .medium, message: "artifact is 1536 bytes, over the limit of 1 KiB", location: "b")])
    }

    func testMaxTotalSize() async throws {
        let rule = """
              - id: size.total
                description: d
                kind: max_total_size
                severity: high
                on_match: reject
                max_bytes: 2000
            """
        let ok = try await review(rule, result(artifacts: [artifact("a", String(repeating: "x", count: 1000)), artifact("b", String(repeating: "x", count: 1000))]))
        XCTAssertEqual(ok.decision, .approve)
        let big = try await review(rule, result(artifacts: [artifact("a", String(repeating: "x", count: 1000)), artifact("b", String(repeating: "x", count: 1001))]))
        XCTAssertEqual(big.decision, .reject)
        XCTAssertEqual(big.findings.map(\.message), ["artifacts total 2001 bytes, over the limit of 2000 bytes"])
    }

    let markers = """
          - id: markers
            description: d
            kind: forbidden_markers
            severity: medium
            on_match: request_changes
            markers: ["TODO", "lorem ipsum", "DO NOT MERGE"]
        """

    func testForbiddenMarkersWithPositions() async throws {
        let code = "let a = 1\n  // todo: later\nLorem Ipsum dolor // DO NOT MERGE\n"
        let outcome = try await review(markers, result(summary: "TODO list", artifacts: [artifact("z.swift", code), artifact("a.md", "fine")]))
        XCTAssertEqual(outcome.decision, .requestChanges)
        XCTAssertEqual(outcome.findings.map(\.location), ["summary:1:1", "z.swift:2:6", "z.swift:3:1", "z.swift:3:22"])
        XCTAssertEqual(outcome.findings.map(\.message), [#"forbidden marker "TODO""#, #"forbidden marker "TODO""#,
                                                         #"forbidden marker "lorem ipsum""#, #"forbidden marker "DO NOT MERGE""#])
    }

    func testForbiddenMarkersRespectWordBoundariesBinaryAndCase() async throws {
        let clean = try await review(markers, result(artifacts: [artifact("a.txt", "TODOS mastodon photodocs"),
                                                                Artifact(name: "b.bin", content: [0xFF] + Array("TODO".utf8))]))
        XCTAssertEqual(clean.decision, .approve)
        let sensitive = markers + "\n    case_sensitive: true"
        let lower = try await review(sensitive, result(artifacts: [artifact("a.txt", "todo")]))
        XCTAssertEqual(lower.decision, .approve)
        let upper = try await review(sensitive, result(artifacts: [artifact("a.txt", "TODO")]))
        XCTAssertEqual(upper.decision, .requestChanges)
    }

    func testForbiddenMarkersSamePositionsInASCIIAndOtherText() async throws {
        // ASCII text is scanned as bytes, other text as Unicode scalars line by line: both
        // report the same places. A CR LF pair is one line break in both, and its CR is not
        // counted in the column of anything on the next line.
        let ascii = "ok\r\nx todo\r\nDO NOT MERGE_ TODO\n\r\nlorem ipsum"
        for text in [ascii, ascii + " \u{E9}"] {
            let outcome = try await review(markers, result(artifacts: [artifact("a.txt", text)]))
            XCTAssertEqual(outcome.findings.map(\.location), ["a.txt:2:3", "a.txt:3:15", "a.txt:5:1"], text)
        }
        let accented = try await review(markers, result(artifacts: [artifact("a.txt", "n\u{E9}e\nn\u{E9}e TODO \u{C9}TODO")]))
        XCTAssertEqual(accented.findings.map(\.location), ["a.txt:2:5"], "columns count Unicode scalars; É is a letter")
    }

    func testForbiddenMarkersScopedToArtifacts() async throws {
        let scoped = markers + "\n    artifacts: [\"*.swift\"]"
        let outcome = try await review(scoped, result(artifacts: [artifact("notes.md", "TODO"), artifact("A.swift", "ok")]))
        XCTAssertEqual(outcome.decision, .approve)
    }

    func testCodeWithoutTests() async throws {
        let rule = """
              - id: tests.missing
                description: d
                kind: code_without_tests
                severity: high
                on_match: request_changes
                sources: ["*.swift"]
                tests: ["Tests/**", "*Tests.swift"]
            """
        let withTests = try await review(rule, result(artifacts: [artifact("Sources/A/A.swift", "x"), artifact("Tests/ATests/ATests.swift", "x")]))
        XCTAssertEqual(withTests.decision, .approve)
        let docsOnly = try await review(rule, result(artifacts: [artifact("docs/a.md", "x")]))
        XCTAssertEqual(docsOnly.decision, .approve)
        let without = try await review(rule, result(artifacts: [artifact("Sources/B/B.swift", "x"), artifact("Sources/A/A.swift", "x")]))
        XCTAssertEqual(without.decision, .requestChanges)
        XCTAssertEqual(without.findings.map(\.message), [#"2 source file(s) (first: Sources/A/A.swift) but no test file matching "Tests/**", "*Tests.swift""#])
    }

    func testEmptySummary() async throws {
        let rule = """
              - id: summary.empty
                description: d
                kind: empty_summary
                severity: low
                on_match: request_changes
            """
        let ok = try await review(rule, result(summary: "x"))
        XCTAssertEqual(ok.decision, .approve)
        let empty = try await review(rule, result(summary: " \n\t"))
        XCTAssertEqual(empty.findings, [Finding(ruleID: "summary.empty", severity: .low, message: "summary is empty", location: "summary")])
    }

    func testFailedResult() async throws {
        let rule = """
              - id: result.failed
                description: d
                kind: failed_result
                severity: high
                on_match: reject
            """
        let ok = try await review(rule, result())
        XCTAssertEqual(ok.decision, .approve)
        let failed = try await review(rule, result(state: .failed, error: "handler timed out after 30s"))
        XCTAssertEqual(failed.decision, .reject)
        XCTAssertEqual(failed.findings.map(\.message), ["task failed: handler timed out after 30s"])
    }

    func testStrictestDecisionWinsAndDecidedByListsItsRules() async throws {
        let body = """
              - id: a.summary
                description: d
                kind: empty_summary
                severity: low
                on_match: request_changes
              - id: b.failed
                description: d
                kind: failed_result
                severity: high
                on_match: reject
              - id: c.failed-again
                description: d
                kind: failed_result
                severity: high
                on_match: reject
            """
        let outcome = try await review(body, result(state: .failed, summary: ""))
        XCTAssertEqual(outcome.decision, .reject)
        XCTAssertEqual(outcome.decidedBy, ["b.failed", "c.failed-again"])
        XCTAssertEqual(outcome.findings.map(\.ruleID), ["a.summary", "b.failed", "c.failed-again"])
        let approved = try await review(body, result())
        XCTAssertEqual(approved.decidedBy, ["a.summary", "b.failed", "c.failed-again"])
    }

    func testGlobs() {
        XCTAssertTrue(Glob.matches("*.swift", "Sources/A/B.swift"))
        XCTAssertFalse(Glob.matches("Sources/*.swift", "Sources/A/B.swift"))
        XCTAssertTrue(Glob.matches("Sources/**/*.swift", "Sources/B.swift"))
        XCTAssertTrue(Glob.matches("Sources/**/*.swift", "Sources/A/C/B.swift"))
        XCTAssertTrue(Glob.matches("Tests/**", "Tests/ATests/A.swift"))
        XCTAssertFalse(Glob.matches("Tests/**", "Sources/Tests.swift"))
        XCTAssertTrue(Glob.matches("test_?.py", "pkg/test_a.py"))
        XCTAssertFalse(Glob.matches("test_?.py", "pkg/test_ab.py"))
        XCTAssertTrue(Glob.matches("**/test_*.py", "test_x.py"))
        XCTAssertTrue(Glob.matches("*.swift", "Sources/A.swift/"), "the last non-empty segment")
        XCTAssertFalse(Glob.matches("*", "/"))
    }
}
