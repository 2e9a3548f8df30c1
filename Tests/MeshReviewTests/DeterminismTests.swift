import MeshReview
import MeshWire
import XCTest

final class DeterminismTests: XCTestCase {
    func testSameResultSameOutcomeWhateverTheArtifactOrder() async throws {
        let engine = ReviewEngine(rules: try ReviewRules.load(file: repositoryRoot.appendingPathComponent("Rules/review.yaml").path))
        let artifacts = [artifact("z.swift", "// TODO\n// FIXME"), artifact("a.md", "XXX"), artifact("m/b.swift", "lorem ipsum")]
        let first = await engine.review(result: result(artifacts: artifacts), role: "coding")
        for permutation in [artifacts.reversed(), [artifacts[1], artifacts[0], artifacts[2]]] {
            let again = await engine.review(result: result(artifacts: Array(permutation)), role: "coding")
            XCTAssertEqual(again, first)
        }
        XCTAssertEqual(first.findings.map(\.location), ["artifacts", "artifacts", "a.md:1:1", "m/b.swift:1:1", "z.swift:1:4", "z.swift:2:4"])
        XCTAssertEqual(first.findings.map(\.ruleID), ["artifacts.coding-source", "tests.missing", "markers.forbidden",
                                                      "markers.forbidden", "markers.forbidden", "markers.forbidden"])
        XCTAssertEqual(first.rulesHash, engine.rules.rulesHash)
    }

    func testVerdictCarriesHashAndRules() async throws {
        let engine = ReviewEngine(rules: try ReviewRules.load(file: repositoryRoot.appendingPathComponent("Rules/review.yaml").path))
        let failed = result(state: .failed, error: "boom")
        let outcome = await engine.review(result: failed, role: "ux")
        let verdict = outcome.verdict(for: failed, resultEnvelopeID: "env-1", reviewerID: "reviewer-1")
        XCTAssertEqual(verdict.kind, .review)
        XCTAssertEqual(verdict.decision, .requestChanges)
        XCTAssertEqual(verdict.decidedByRules, ["result.failed"])
        XCTAssertEqual(verdict.policyBundleHash, engine.rules.rulesHash)
        XCTAssertEqual(verdict.findings.map(\.message), ["task failed: boom"])
    }

    func testManyMarkersAreCapped() async throws {
        let rule = """
              - id: m
                description: d
                kind: forbidden_markers
                severity: low
                on_match: request_changes
                markers: [TODO]
            """
        let outcome = try await review(rule, result(artifacts: [artifact("a", String(repeating: "TODO\n", count: 150))]))
        XCTAssertEqual(outcome.findings.count, 101)
        XCTAssertEqual(outcome.findings.last?.message, "50 more forbidden markers not listed")
    }
}
