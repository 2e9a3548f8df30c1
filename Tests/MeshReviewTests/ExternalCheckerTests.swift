import Foundation
import MeshReview
import MeshWire
import XCTest

final class ExternalCheckerTests: XCTestCase {
    func checkerRule(_ command: String, extra: String = "") -> String {
        """
          - id: checker.x
            description: d
            kind: external_checker
            severity: medium
            on_match: request_changes
            command: ["\(command)"]
            timeout: 500ms
        """ + extra
    }

    func testFindingsFromTheChecker() async throws {
        let directory = try temporaryDirectory()
        // Reads the result to prove it arrives on stdin, then reports two findings out of order.
        let path = try script("""
            input=$(cat)
            case "$input" in *'"contract":"agentmesh.checker/v1"'*'"role":"coding"'*) ;; *) echo "bad input" >&2; exit 9 ;; esac
            printf '%s' '{"findings":[{"rule_id":"hdr","severity":"low","message":"no header","location":"b.swift:1:1"},{"message":"generic","location":"a.swift:2:1"}]}'
            """, in: directory)
        let outcome = try await review(checkerRule(path), result(artifacts: [artifact("a.swift", "x")]))
        XCTAssertEqual(outcome.decision, .requestChanges)
        XCTAssertEqual(outcome.findings, [
            Finding(ruleID: "checker.x", severity: .medium, message: "generic", location: "a.swift:2:1"),
            Finding(ruleID: "checker.x/hdr", severity: .low, message: "no header", location: "b.swift:1:1"),
        ])
        XCTAssertEqual(outcome.decidedBy, ["checker.x"])
    }

    func testSatisfiedCheckerApproves() async throws {
        let path = try script("cat >/dev/null; echo '{\"findings\":[]}'", in: try temporaryDirectory())
        let outcome = try await review(checkerRule(path), result())
        XCTAssertEqual(outcome.decision, .approve)
        XCTAssertEqual(outcome.findings, [])
    }

    func testRelativeCommandResolvesAgainstTheRuleFile() async throws {
        let directory = try temporaryDirectory()
        _ = try script("cat >/dev/null; echo '{\"findings\":[{\"message\":\"from relative\"}]}'", in: directory, name: "rel.sh")
        let yaml = "rules_version: \"1\"\nrules:\n" + checkerRule("./rel.sh")
        let file = directory.appendingPathComponent("review.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let outcome = await ReviewEngine(rules: try ReviewRules.load(file: file.path)).review(result: result(), role: "coding")
        XCTAssertEqual(outcome.findings.map(\.message), ["from relative"])
    }

    func testCheckerFailuresBecomeFindings() async throws {
        let directory = try temporaryDirectory()
        let cases: [(String, String)] = [
            ("cat >/dev/null; echo 'license db unreachable' >&2; exit 2", #"checker "checker.x" ended with exit status 2: license db unreachable"#),
            ("cat >/dev/null; echo 'not json'", #"checker "checker.x" printed invalid findings JSON (The given data was not valid JSON.)"#),
            ("cat >/dev/null; echo '{\"findings\":[{}]}'", #"checker "checker.x" printed invalid findings JSON (missing "message" at findings[0])"#),
            ("cat >/dev/null; echo '{\"findings\":[{\"message\":\"m\",\"severity\":\"urgent\"}]}'", #"checker "checker.x" printed unknown severity "urgent""#),
            ("sleep 30", #"checker "checker.x" timed out after 500ms"#),
        ]
        for (index, (body, expected)) in cases.enumerated() {
            let path = try script(body, in: directory, name: "c\(index).sh")
            let outcome = try await review(checkerRule(path), result())
            XCTAssertEqual(outcome.decision, .requestChanges, body)
            XCTAssertEqual(outcome.findings.map(\.message), [expected], body)
            XCTAssertEqual(outcome.findings.first?.location, "checker")
        }
        let missing = try await review(checkerRule("/nonexistent/checker"), result())
        XCTAssertEqual(missing.findings.map(\.message), [#"checker "checker.x" could not be started: executable "/nonexistent/checker" not found"#])
    }

    func testOnFailureRejectOrIgnore() async throws {
        let reject = try await review(checkerRule("/nonexistent/checker", extra: "\n    on_failure: reject"), result())
        XCTAssertEqual(reject.decision, .reject)
        let ignore = try await review(checkerRule("/nonexistent/checker", extra: "\n    on_failure: ignore"), result())
        XCTAssertEqual(ignore.decision, .approve)
        XCTAssertEqual(ignore.findings.first?.severity, .info)
    }

    func testBreakerSkipsAFailingCheckerUntilCoolDown() async throws {
        let directory = try temporaryDirectory()
        let counter = directory.appendingPathComponent("runs").path
        let path = try script("echo run >> \(counter); exit 1", in: directory)
        let clock = SteppedClock()
        let rules = try rules(checkerRule(path, extra: "\n    failure_threshold: 2\n    cool_down: 60s"))
        let engine = ReviewEngine(rules: rules, now: { clock.now })
        for _ in 0..<2 { _ = await engine.review(result: result(), role: "coding") }
        let skipped = await engine.review(result: result(), role: "coding")
        XCTAssertEqual(skipped.findings.map(\.message), [#"checker "checker.x" skipped: circuit breaker open after 2 consecutive failures, until 60s from now"#])
        XCTAssertEqual(skipped.decision, .requestChanges)
        clock.advance(.seconds(61))
        _ = await engine.review(result: result(), role: "coding")  // half-open trial runs (and fails)
        let runs = try String(contentsOfFile: counter, encoding: .utf8).split(separator: "\n").count
        XCTAssertEqual(runs, 3)
    }

    func testCheckerInputJSON() {
        let json = String(decoding: CheckerContract.inputJSON(result(artifacts: [artifact("a.txt", "hi"), Artifact(name: "b", content: [0xFF])]), role: "ux"), as: UTF8.self)
        XCTAssertEqual(json, #"{"agent_id":"coding-1","artifacts":[{"content":"hi","media_type":"text/plain","name":"a.txt","sha256":"8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4"},{"content_base64":"/w==","media_type":"application/octet-stream","name":"b","sha256":"a8100ae6aa1940d0b663bb31cd466142ebbdbd5187131b92d93818987832eb89"}],"attempt":1,"contract":"agentmesh.checker/v1","error":"","plan_id":"p-1","role":"ux","state":"completed","summary":"did the work","task_id":"t-1"}"#)
    }
}

/// A clock that moves only when told to.
final class SteppedClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = ContinuousClock.now

    var now: ContinuousClock.Instant { lock.withLock { current } }

    func advance(_ duration: Duration) { lock.withLock { current = current.advanced(by: duration) } }
}
