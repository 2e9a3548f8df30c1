import Foundation
import MeshKafka
import MeshTestSupport
import MeshTransport
import MeshWire
import XCTest

/// The console's history and operations views against real processes: a plan's audit trace,
/// the diff between attempts and findings at their lines; agents; dead letters inspected and
/// redriven (recorded as `meshctl deadletters redrive` records it); compliance; audit verify
/// and export. Each API endpoint with its typed errors and role checks.
final class ConsoleOperationsTests: XCTestCase {
    var console: ConsoleHarness?

    override func tearDown() {
        console?.stop()
        console?.mesh.shutdown()
    }

    func testAPlanShowsItsHistoryDiffAndFindingsAtTheirLinesAndTheAuditViewsAnswer() async throws {
        let console = try await ConsoleHarness.onApprovalMesh()
        self.console = console
        let mesh = console.mesh
        // Attempt 1 carries a fake SSN: compliance asks for changes, attempt 2 replaces it.
        let objective = try await mesh.submit(playbook: "approval", title: "Banner <script>x</script> [example:phi-on-first-attempt]")
        let flagged = try await mesh.first(objective) {
            if case .verdict(let verdict) = $0.payload { return verdict.kind == .compliance && !verdict.findings.isEmpty } else { return false }
        }
        guard case .verdict(let verdict) = flagged.payload, let finding = verdict.findings.first else { return XCTFail("no finding") }
        let request = try await mesh.first(objective) { $0.approvalRequest != nil }
        try await mesh.decide(request, as: "bob", .approve)
        _ = try await mesh.outcome(objective)

        let viewer = console.browser()
        for probe in ["/livez", "/readyz"] {
            let reply = try await viewer.get(probe)
            XCTAssertEqual(reply.status, 200, "\(probe): \(reply.body)")
        }
        do { let reply = try await viewer.signIn("victor", "victor-password"); XCTAssertEqual(reply.status, 303) }
        var page = ""
        try await eventually("the plan page shows the diff, the finding at its line and the audit trace with the signature") {
            page = (try? await viewer.get("/plans/\(objective)").body) ?? ""
            return page.contains("Changes since attempt 1") && page.contains("<tr class=\"finding-at-line\">")
                && page.contains("id=\"causal-tree\"") && page.contains("signed by bob")
        }
        XCTAssertTrue(page.contains(finding.ruleID) && page.contains(verdict.policyBundleHash), "rule and bundle hash shown")
        XCTAssertTrue(page.contains("<tr class=\"removed\">") && page.contains("<tr class=\"added\">"), "the diff marks lines")
        XCTAssertTrue(page.contains("id=\"timeline\""))
        XCTAssertFalse(page.contains("<script>x"), "the title is escaped")

        // The trace API is the `meshctl audit trace --json` document.
        let trace = try await viewer.get("/api/plans/\(objective)/trace")
        XCTAssertEqual(trace.status, 200, trace.body)
        let traced = try XCTUnwrap(trace.json as? [String: Any])
        XCTAssertEqual(traced["correlationId"] as? String, objective)
        XCTAssertGreaterThan(traced["recordCount"] as? Int ?? 0, 5)
        let cli = try await runToCompletion(try Executables.url("meshctl"),
                                            ["audit", "trace", objective, "--json", "--store", console.auditStore, "--home", mesh.home],
                                            workingDirectory: mesh.workspace.url)
        let cliTrace = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(cli.stdout.utf8)) as? [String: Any], cli.stderr)
        XCTAssertEqual(cliTrace["recordCount"] as? Int, traced["recordCount"] as? Int, "the console and meshctl agree")
        do { let reply = try await viewer.get("/api/plans/no-such-plan/trace"); XCTAssertEqual(reply.status, 404); XCTAssertEqual(reply.errorCode, "not_found") }

        // Agents: live instances per role from their cards.
        let agentsReply = try await viewer.get("/api/agents")
        let agents = try XCTUnwrap(agentsReply.json as? [[String: Any]])
        XCTAssertTrue(agents.contains { $0["role"] as? String == "coding" && $0["status"] as? String == "live" }, "\(agents)")
        let agentsPage = try await viewer.get("/agents")
        XCTAssertTrue(agentsPage.body.contains("coding: 1 live"))

        // Consumer lag from the broker: no testing agent runs, so the three records put on its
        // task topic wait under group mesh-testing; the coding agent has committed all of its.
        let producer = try KafkaProducer(configuration: try mesh.kafkaConfiguration(), logger: mesh.logger)
        defer { producer.close() }
        for index in 0..<3 {
            try await producer.send(OutgoingMessage(topic: "mesh.tasks.testing", key: Array("obj-\(index)".utf8), value: Array("queued".utf8)))
        }
        var lag: [[String: Any]] = []
        try await eventually("the testing group lags by 3 and the coding group has caught up") {
            lag = ((try? await viewer.get("/api/agents/lag"))?.json as? [[String: Any]]) ?? []
            let byRole = Dictionary(lag.compactMap { item in (item["role"] as? String).map { ($0, item) } }, uniquingKeysWith: { first, _ in first })
            return (byRole["testing"]?["lag"] as? Int) == 3 && (byRole["coding"]?["lag"] as? Int) == 0
        }
        let testing = try XCTUnwrap(lag.first { $0["role"] as? String == "testing" })
        XCTAssertEqual(testing["group"] as? String, "mesh-testing")
        let behind = try XCTUnwrap(testing["partitions"] as? [[String: Any]]).filter { ($0["lag"] as? Int ?? 0) > 0 }
        XCTAssertEqual(behind.reduce(0) { $0 + ($1["lag"] as? Int ?? 0) }, 3)
        XCTAssertTrue(behind.allSatisfy { $0["topic"] as? String == "mesh.tasks.testing" && $0["committed"] == nil }, "\(behind)")
        let lagPage = try await viewer.get("/agents")
        XCTAssertTrue(lagPage.body.contains("<span class=\"lag\" data-role=\"testing\">3</span>"), lagPage.body)
        XCTAssertTrue(lagPage.body.contains("<span class=\"lag\" data-role=\"coding\">0</span>"), lagPage.body)

        // Compliance: the finding under its rule, the decisions per hour.
        let complianceReply = try await viewer.get("/api/compliance")
        let compliance = try XCTUnwrap(complianceReply.json as? [String: Any])
        let rules = try XCTUnwrap(compliance["byRule"] as? [[String: Any]])
        XCTAssertTrue(rules.contains { $0["rule"] as? String == finding.ruleID && ($0["findings"] as? Int ?? 0) >= 1 }, "\(rules)")
        let decisions = try XCTUnwrap(compliance["decisionsByHour"] as? [[String: Any]])
        XCTAssertTrue(decisions.contains { $0["kind"] as? String == "compliance" && $0["decision"] as? String == "request_changes" }, "\(decisions)")
        // A finding's class is the one its rule detects in the policy bundle the console loaded:
        // the fake SSN of attempt 1 is of class ssn; a Part 11 record check detects no identifier.
        let classOf = Dictionary(rules.compactMap { rule in (rule["rule"] as? String).map { ($0, rule["identifierClass"] as? String) } },
                                 uniquingKeysWith: { first, _ in first })
        XCTAssertEqual(classOf["hipaa-ssn"], "ssn", "\(rules)")
        if classOf["part11-signature-high-risk"] != nil { XCTAssertEqual(classOf["part11-signature-high-risk"], "record check") }
        let classes = try XCTUnwrap(compliance["byClass"] as? [[String: Any]])
        XCTAssertTrue(classes.contains { $0["identifierClass"] as? String == "ssn" && ($0["findings"] as? Int ?? 0) >= 1 }, "\(classes)")
        let overTime = try XCTUnwrap(compliance["findingsByHour"] as? [[String: Any]])
        XCTAssertTrue(overTime.contains {
            $0["rule"] as? String == "hipaa-ssn" && $0["identifierClass"] as? String == "ssn" && $0["decision"] as? String == "request_changes"
        }, "\(overTime)")
        let compliancePage = try await viewer.get("/compliance")
        XCTAssertTrue(compliancePage.body.contains(finding.ruleID))
        XCTAssertTrue(compliancePage.body.contains("id=\"by-class\"") && compliancePage.body.contains("id=\"findings-over-time\""))
        XCTAssertTrue(compliancePage.body.contains("<td>hipaa-ssn</td><td>ssn</td>"), "the class is shown beside its rule")

        // Audit: verify status and the newest checkpoint; export for auditors only.
        try await eventually("the audit store verifies") {
            let report = (try? await viewer.get("/api/audit/verify"))?.json as? [String: Any]
            return report?["valid"] as? Bool == true && (report?["recordCount"] as? Int ?? 0) > 5
        }
        let auditPage = try await viewer.get("/audit")
        XCTAssertTrue(auditPage.body.contains("id=\"verify-status\" class=\"ok\">VERIFIED"))
        do { let reply = try await viewer.get("/api/audit/export"); XCTAssertEqual(reply.status, 403); XCTAssertEqual(reply.errorCode, "forbidden") }
        let auditor = console.browser()
        do { let reply = try await auditor.signIn("ada", "ada-password"); XCTAssertEqual(reply.status, 303) }
        do { let reply = try await auditor.get("/api/audit/export?format=xml"); XCTAssertEqual(reply.status, 400); XCTAssertEqual(reply.errorCode, "bad_request") }
        let export = try await auditor.get("/api/audit/export?format=jsonl")
        XCTAssertEqual(export.status, 200)
        XCTAssertEqual(export.headers["x-audit-valid"], "true")
        let header = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(export.body.split(separator: "\n")[0].utf8)) as? [String: Any])
        XCTAssertNotNil(header["logId"] ?? header["log_id"], "\(header)")
        XCTAssertTrue(export.body.contains(objective))

        // Without a session every endpoint answers 401 with a typed body.
        for path in ["/api/agents", "/api/agents/lag", "/api/deadletters", "/api/compliance", "/api/audit/verify", "/api/audit/export", "/api/plans/\(objective)/trace"] {
            let reply = try await console.browser().get(path)
            XCTAssertEqual(reply.status, 401, path)
            XCTAssertEqual(reply.errorCode, "unauthenticated", path)
        }
    }

    func testDeadLettersAreInspectedAndRedrivenWithAReasonByOperatorsOnly() async throws {
        let console = try await ConsoleHarness.onApprovalMesh()
        self.console = console
        let mesh = console.mesh
        let producer = try KafkaProducer(configuration: try mesh.kafkaConfiguration(), logger: mesh.logger)
        defer { producer.close() }
        try await producer.send(OutgoingMessage(topic: "mesh.results", key: Array("obj-9".utf8), value: Array("not an envelope".utf8)))

        let operatorBrowser = console.browser()
        do { let reply = try await operatorBrowser.signIn("mallory", "mallory-password"); XCTAssertEqual(reply.status, 303) }
        var letters: [[String: Any]] = []
        try await eventually("the malformed record is dead-lettered") {
            letters = ((try? await operatorBrowser.get("/api/deadletters"))?.json as? [[String: Any]]) ?? []
            return letters.contains { $0["reason"] as? String == "malformed" }
        }
        let letter = try XCTUnwrap(letters.first { $0["reason"] as? String == "malformed" })
        let id = try XCTUnwrap(letter["id"] as? String)
        XCTAssertTrue((letter["source"] as? String ?? "").hasPrefix("mesh.results["))
        let detailReply = try await operatorBrowser.get("/api/deadletters/\(id)")
        let detail = try XCTUnwrap(detailReply.json as? [String: Any])
        XCTAssertEqual(detail["valueBytes"] as? Int, "not an envelope".utf8.count)
        do { let reply = try await operatorBrowser.get("/api/deadletters/9:999999"); XCTAssertEqual(reply.errorCode, "not_found") }
        let letterPage = try await operatorBrowser.get("/deadletters/\(id)")
        XCTAssertTrue(letterPage.body.contains("malformed"))
        let lettersPage = try await operatorBrowser.get("/deadletters")
        XCTAssertTrue(lettersPage.body.contains("id=\"redrive\""), "operators get the redrive form")

        // A viewer may look but not redrive: 403, recorded, nothing sent.
        let viewer = console.browser()
        do { let reply = try await viewer.signIn("victor", "victor-password"); XCTAssertEqual(reply.status, 303) }
        let viewerLettersPage = try await viewer.get("/deadletters")
        XCTAssertFalse(viewerLettersPage.body.contains("id=\"redrive\""))
        let refused = try await viewer.postJSON("/api/deadletters/redrive", ["ids": [id], "reason": "try"], csrf: try await viewer.csrf())
        XCTAssertEqual(refused.status, 403)
        XCTAssertEqual(refused.errorCode, "forbidden")
        try await eventually("the refused redrive is recorded") {
            (try? await console.operations("console.redrive-refused", by: "victor").count) == 1
        }

        // Typed errors: no CSRF token, bad body, no reason, unknown id.
        let csrf = try await operatorBrowser.csrf()
        do { let reply = try await operatorBrowser.postJSON("/api/deadletters/redrive", ["ids": [id], "reason": "fixed"], csrf: nil)
             XCTAssertEqual(reply.status, 403); XCTAssertEqual(reply.errorCode, "csrf_token_missing_or_wrong") }
        do { let reply = try await operatorBrowser.postJSON("/api/deadletters/redrive", ["ids": id], csrf: csrf)
             XCTAssertEqual(reply.status, 400); XCTAssertEqual(reply.errorCode, "bad_request") }
        do { let reply = try await operatorBrowser.postJSON("/api/deadletters/redrive", ["ids": [id], "reason": " "], csrf: csrf)
             XCTAssertEqual(reply.status, 400); XCTAssertEqual(reply.errorCode, "bad_request") }
        do { let reply = try await operatorBrowser.postJSON("/api/deadletters/redrive", ["ids": ["7:7"], "reason": "fixed"], csrf: csrf)
             XCTAssertEqual(reply.status, 404); XCTAssertEqual(reply.errorCode, "not_found") }
        let redrives = { try await console.operations().compactMap { envelope -> ReplayRequested? in
            if case .replayRequested(let record) = envelope.payload, record.mode == "redrive" { return record } else { return nil }
        } }
        let recordedSoFar = try await redrives()
        XCTAssertEqual(recordedSoFar.count, 0, "no refused request recorded a redrive")

        // The operator redrives with a reason: recorded first, as meshctl records it, then sent back.
        let sent = try await operatorBrowser.postJSON("/api/deadletters/redrive", ["ids": [id], "reason": "parser fixed"], csrf: csrf)
        XCTAssertEqual(sent.status, 201, sent.body)
        let outcomes = try XCTUnwrap((sent.json as? [String: Any])?["outcomes"] as? [String])
        XCTAssertTrue(outcomes.first?.hasPrefix("sent \(id) (malformed) back to mesh.results[") == true, "\(outcomes)")
        let recorded = try await redrives()
        let record = try XCTUnwrap(recorded.first)
        XCTAssertEqual(record.requestedBy, "mallory")
        XCTAssertEqual(record.reason, "parser fixed")
        XCTAssertEqual(record.targetTopic, "mesh.results")
        XCTAssertEqual(record.envelopeCount, 1)
        // Still not an envelope: the consumers dead-letter it again, marked as redriven.
        try await eventually("the redriven record is dead-lettered again, carrying where it was redriven from") {
            let all = ((try? await operatorBrowser.get("/api/deadletters"))?.json as? [[String: Any]]) ?? []
            for other in all where other["id"] as? String != id {
                let detail = (try? await operatorBrowser.get("/api/deadletters/\(other["id"] as? String ?? "")"))?.json as? [String: Any]
                let headers = detail?["headers"] as? [[String: String]] ?? []
                if headers.contains(where: { $0["key"] == "agentmesh_redriven_from" }) { return true }
            }
            return false
        }
    }
}
