@testable import MeshConsole
import MeshCompliance
import MeshWire
import XCTest

// MeshCompliance (for policy bundles) has its own Decision and Finding; these tests mean the wire's.
private typealias Decision = MeshWire.Decision
private typealias Finding = MeshWire.Finding

/// The pure parts of the plan and compliance views: the line diff, findings placed at their
/// lines, and the compliance tallies.
final class ConsoleViewTests: XCTestCase {
    func testTheDiffKeepsCommonLinesAndMarksTheRest() throws {
        let diff = try XCTUnwrap(LineDiff.diff("a\nssn 512-38-7046\nc", "a\nssn [REDACTED]\nc\nd"))
        XCTAssertEqual(diff, [.same("a"), .removed("ssn 512-38-7046"), .added("ssn [REDACTED]"), .same("c"), .added("d")])
        XCTAssertEqual(LineDiff.diff("", "x"), [.added("x")])
        XCTAssertEqual(LineDiff.diff("same", "same"), [.same("same")])
        XCTAssertNil(LineDiff.diff(String(repeating: "x\n", count: 20), "y", limit: 10), "too large to diff")
    }

    func testAFindingIsShownUnderTheLineItPointsAtAndNothingIsMarkup() {
        let finding = Finding(ruleID: "hipaa-ssn", severity: .high, message: "SSN <b>", location: "src/a.swift:2:5")
        let other = Finding(ruleID: "x", severity: .low, message: "elsewhere", location: "src/ab.swift:1:1")
        XCTAssertEqual(PlanPage.line(of: finding, in: "src/a.swift"), 2)
        XCTAssertNil(PlanPage.line(of: other, in: "src/a.swift"), "another artifact whose name starts alike")
        let html = PlanPage.numbered("let a = 1\nlet ssn = \"<script>\"", findings: [finding], artifact: "src/a.swift")
        let line2 = try! XCTUnwrap(html.range(of: "<td class=\"ln\">2</td>"))
        let flag = try! XCTUnwrap(html.range(of: "<tr class=\"finding-at-line\">"))
        XCTAssertLessThan(line2.lowerBound, flag.lowerBound, "the finding follows its line")
        XCTAssertTrue(html.contains("&lt;script&gt;") && html.contains("SSN &lt;b&gt;"))
        XCTAssertFalse(html.contains("<script>") || html.contains("<b>"))
    }

    func testComplianceCountsFindingsByRuleAndSeverityAndDecisionsPerHour() {
        func verdict(_ decision: Decision, _ findings: [Finding]) -> Verdict {
            Verdict(taskID: "t", planID: "p", kind: .compliance, decision: decision, findings: findings, resultEnvelopeID: "r", reviewerID: "c")
        }
        let ssn = Finding(ruleID: "hipaa-ssn", severity: .high, message: "m")
        let hour = Int64(1_800_000_000) * 1_000_000
        let summary = ComplianceSummary([
            .init(timeUnixMicros: hour + 5, correlationID: "o1", verdict: verdict(.requestChanges, [ssn, ssn])),
            .init(timeUnixMicros: hour + 10, correlationID: "o1", verdict: verdict(.approve, [])),
            .init(timeUnixMicros: hour + 3_600_000_000, correlationID: "o2", verdict: verdict(.approve, [])),
        ])
        XCTAssertEqual(summary.byRule, [.init(rule: "hipaa-ssn", identifierClass: "unknown", severity: "high", kind: "compliance", findings: 2)])
        XCTAssertEqual(summary.bySeverity, [.init(severity: "high", findings: 2)])
        XCTAssertEqual(summary.decisionsByHour.map { "\($0.hour) \($0.decision) \($0.verdicts)" }, [
            "2027-01-15T08:00:00Z approve 1", "2027-01-15T08:00:00Z request_changes 1", "2027-01-15T09:00:00Z approve 1",
        ])
    }

    /// A finding names only its rule; its class is the class the rule detects in the policy
    /// bundle, and findings are counted per hour by rule, class and the verdict's decision.
    func testFindingsAreCountedByTheClassTheirRuleDetectsAndPerHourByRuleClassAndDecision() throws {
        let bundle = try PolicyBundle(sources: [("p.yaml", """
            id: p
            version: 1.0.0
            description: test
            rules:
              - id: hipaa-ssn
                description: SSN
                detector: us_ssn
                severity: critical
                on_match: request_changes
              - id: hipaa-email
                description: Email
                detector: email
                severity: high
                on_match: request_changes
            """)])
        let classes = RuleClasses(bundle: bundle)
        func verdict(_ decision: Decision, _ findings: [Finding]) -> Verdict {
            Verdict(taskID: "t", planID: "p", kind: .compliance, decision: decision, findings: findings, resultEnvelopeID: "r", reviewerID: "c")
        }
        let ssn = Finding(ruleID: "hipaa-ssn", severity: .critical, message: "m")
        let email = Finding(ruleID: "hipaa-email", severity: .high, message: "m")
        let other = Finding(ruleID: "review-todo", severity: .low, message: "m")
        let hour = Int64(1_800_000_000) * 1_000_000
        let summary = ComplianceSummary([
            .init(timeUnixMicros: hour + 5, correlationID: "o1", verdict: verdict(.requestChanges, [ssn, ssn, email])),
            .init(timeUnixMicros: hour + 3_600_000_000, correlationID: "o2", verdict: verdict(.reject, [ssn, other])),
        ], classes: classes)
        XCTAssertEqual(summary.byClass, [.init(identifierClass: "ssn", findings: 3), .init(identifierClass: "email", findings: 1),
                                         .init(identifierClass: "unknown", findings: 1)])
        XCTAssertEqual(summary.byRule.first { $0.rule == "hipaa-email" }?.identifierClass, "email")
        XCTAssertEqual(summary.findingsByHour.map { "\($0.hour) \($0.rule) \($0.identifierClass) \($0.decision) \($0.findings)" }, [
            "2027-01-15T08:00:00Z hipaa-email email request_changes 1", "2027-01-15T08:00:00Z hipaa-ssn ssn request_changes 2",
            "2027-01-15T09:00:00Z hipaa-ssn ssn reject 1", "2027-01-15T09:00:00Z review-todo unknown reject 1",
        ])
        XCTAssertEqual(classes.bundleHash, bundle.hash)
    }
}
