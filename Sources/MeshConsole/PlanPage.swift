import Foundation
import MeshAudit
import MeshOps
import MeshSigning
import MeshWire

/// One plan. From Kafka (the live snapshot): its tasks, every attempt's result with its
/// artifacts (findings shown at their lines, a diff against the task's previous attempt,
/// model transcripts laid out), the verdicts with their rules and policy bundle hash, and any
/// approval waiting on a person. From the audit store: the timeline and causal tree, as
/// `meshctl audit trace` shows them (see `AuditView` for why history comes from there).
enum PlanPage {
    static let transcriptMediaType = "application/vnd.agentmesh.model-transcript+json"

    static func render(_ snapshot: MeshSnapshot, plan: OpsObjectiveStatus, trace: Result<AuditTrace, ConsoleError>,
                       user: ConsoleUser, csrf: String) -> String {
        var body = "<p>State: <strong id=\"plan-state\">\(HTML.escape(plan.state))</strong></p>"
        if let objective = plan.objective {
            body += "<p>\(HTML.escape(objective.title)) — playbook \(HTML.escape(objective.playbook)), submitted by \(HTML.escape(objective.submittedBy))</p>"
        }
        body += "<h2>Tasks</h2>" + HTML.table(["Task", "Role", "State", "Attempt", "Detail"], plan.rows.map {
            [HTML.escape($0.task), HTML.escape($0.role), HTML.escape($0.state), String($0.attempt), HTML.escape($0.detail)]
        }, id: "tasks")
        let pending = snapshot.approvals.requests.filter { $0.envelope.correlationID == plan.correlationID }
        if !pending.isEmpty {
            body += "<h2>Approvals</h2>" + HTML.table(["Approval", "Task", "Attempt", "Decision"], pending.map { item in
                let decided = snapshot.approvals.decisions[item.request.approvalID].map {
                    "\(OpsNames.decision($0.decision.decision)) by \($0.decision.printedName) (\($0.decision.meaning))"
                } ?? "waiting"
                return ["<a href=\"/approvals/\(HTML.escape(item.request.approvalID))\">\(HTML.escape(item.request.approvalID))</a>",
                        HTML.escape(item.request.taskID), String(item.request.attempt), HTML.escape(decided)]
            })
        }
        body += "<h2>Attempts <small>(from Kafka)</small></h2>"
        let verdicts = snapshot.verdicts[plan.correlationID] ?? []
        var previous: [String: TaskResult] = [:]
        for envelope in snapshot.results[plan.correlationID] ?? [] {
            guard case .taskResult(let result) = envelope.payload else { continue }
            let mine = verdicts.filter { $0.taskID == result.taskID && $0.attempt == result.attempt }
            body += "<section class=\"attempt\" id=\"attempt-\(HTML.escape(result.taskID))-\(result.attempt)\"><h3>\(HTML.escape(result.taskID)) attempt \(result.attempt): "
                + "\(HTML.escape(OpsNames.state(result.state)))</h3><p>by \(HTML.escape(result.agentID)): \(HTML.escape(result.summary))</p>"
            body += artifacts(result.artifacts, findings: mine.flatMap(\.findings), previous: previous[result.taskID])
            for verdict in mine { body += Self.verdict(verdict) }
            body += "</section>"
            previous[result.taskID] = result
        }
        if let completed = plan.completed {
            body += "<h2>Outcome</h2><p class=\"ok\">\(HTML.escape(completed.summary))</p>" + artifacts(completed.artifacts)
        }
        if let failed = plan.failed {
            body += "<h2>Outcome</h2><p class=\"error\">task \(HTML.escape(failed.failedTaskID)): \(HTML.escape(failed.reason))</p>"
        }
        body += history(trace)
        return HTML.page(title: "Plan \(plan.correlationID)", user: user, csrf: csrf, body: body)
    }

    // MARK: artifacts

    static func artifacts(_ artifacts: [Artifact], findings: [Finding] = [], previous: TaskResult? = nil) -> String {
        artifacts.map { artifact in
            let text = String(decoding: artifact.content, as: UTF8.self)
            var html = "<details class=\"artifact\" open><summary>\(HTML.escape(artifact.name)) (\(HTML.escape(artifact.mediaType)), "
                + "\(artifact.content.count) bytes, sha256 \(Hex.encode(artifact.sha256).prefix(16))…)</summary>"
            if artifact.mediaType == transcriptMediaType {
                html += transcript(text)
            } else {
                html += numbered(text, findings: findings.filter { line(of: $0, in: artifact.name) != nil }, artifact: artifact.name)
            }
            if let before = previous?.artifacts.first(where: { $0.name == artifact.name }), before.sha256 != artifact.sha256 {
                html += diff(String(decoding: before.content, as: UTF8.self), text, against: previous!.attempt)
            }
            return html + "</details>"
        }.joined()
    }

    /// The line a finding's `artifact:line[:column]` location points at in `artifact`.
    static func line(of finding: Finding, in artifact: String) -> Int? {
        guard finding.location.hasPrefix(artifact + ":") else { return nil }
        return Int(finding.location.dropFirst(artifact.count + 1).prefix { $0.isNumber })
    }

    /// The text with line numbers, each finding shown under the line it points at.
    static func numbered(_ text: String, findings: [Finding], artifact: String) -> String {
        var rows = ""
        for (index, content) in LineDiff.lines(text).enumerated() {
            let number = index + 1
            let here = findings.filter { line(of: $0, in: artifact) == number }
            rows += "<tr\(here.isEmpty ? "" : " class=\"flagged\"")><td class=\"ln\">\(number)</td><td><code>\(HTML.escape(content))</code></td></tr>"
            for finding in here {
                rows += "<tr class=\"finding-at-line\"><td></td><td>⚑ \(HTML.escape(finding.ruleID)) [\(HTML.escape(name(finding.severity)))]: "
                    + "\(HTML.escape(finding.message)) (\(HTML.escape(finding.location)))</td></tr>"
            }
        }
        return "<table class=\"source\">\(rows)</table>"
    }

    static func diff(_ old: String, _ new: String, against attempt: UInt32) -> String {
        guard let lines = LineDiff.diff(old, new) else {
            return "<p class=\"diff\">Too large to diff against attempt \(attempt).</p>"
        }
        let rows = lines.map { line -> String in
            switch line {
            case .same(let text): "<tr><td> </td><td><code>\(HTML.escape(text))</code></td></tr>"
            case .removed(let text): "<tr class=\"removed\"><td>−</td><td><code>\(HTML.escape(text))</code></td></tr>"
            case .added(let text): "<tr class=\"added\"><td>+</td><td><code>\(HTML.escape(text))</code></td></tr>"
            }
        }.joined()
        return "<div class=\"diff\"><p>Changes since attempt \(attempt):</p><table class=\"diff\">\(rows)</table></div>"
    }

    /// A model transcript (what the model was sent and answered), pretty-printed when it is JSON.
    static func transcript(_ text: String) -> String {
        var shown = text
        if let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)),
           let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) {
            shown = String(decoding: pretty, as: UTF8.self)
        }
        return "<div class=\"transcript\"><p>Model transcript</p><pre>\(HTML.escape(shown))</pre></div>"
    }

    static func verdict(_ verdict: Verdict) -> String {
        "<div class=\"verdict\"><p>Verdict (\(HTML.escape(verdict.kind.protoName))) by \(HTML.escape(verdict.reviewerID)): "
            + "<strong>\(HTML.escape(OpsNames.decision(verdict.decision)))</strong>; rules \(HTML.escape(verdict.decidedByRules.joined(separator: ", "))); "
            + "policy bundle <code class=\"bundle\">\(HTML.escape(verdict.policyBundleHash))</code></p>"
            + (verdict.findings.isEmpty ? "" : HTML.table(["Rule", "Severity", "Where", "Finding"], verdict.findings.map {
                [HTML.escape($0.ruleID), HTML.escape($0.severity.protoName), HTML.escape($0.location), HTML.escape($0.message)]
            }))
            + "</div>"
    }

    // MARK: history (audit store)

    static func history(_ trace: Result<AuditTrace, ConsoleError>) -> String {
        var html = "<h2>Timeline and causal tree <small>(from the audit store)</small></h2>"
        switch trace {
        case .failure(let error):
            return html + "<p class=\"error\" id=\"trace-unavailable\">\(HTML.escape(error.message))</p>"
        case .success(let trace) where trace.records.isEmpty:
            return html + "<p id=\"trace-empty\">The audit store holds no records of this objective yet.</p>"
        case .success(let trace):
            html += "<table id=\"timeline\"><thead><tr><th>#</th><th>Time</th><th>Type</th><th>From</th><th>What</th></tr></thead><tbody>"
            for record in trace.records.sorted(by: { ($0.input.eventTimeMicros, $0.sequence) < ($1.input.eventTimeMicros, $1.sequence) }) {
                html += "<tr><td>\(record.sequence)</td><td>\(HTML.escape(AuditRecordFormat.time(record.input.eventTimeMicros)))</td>"
                    + "<td>\(HTML.escape(record.input.type))</td><td>\(HTML.escape(record.input.source))</td>"
                    + "<td>\(HTML.escape(AuditPayloadDetails.decode(record.input.raw)?.details.headline ?? "(undecodable)"))</td></tr>"
            }
            html += "</tbody></table><div id=\"causal-tree\"><ul>" + trace.roots.map(node).joined() + "</ul></div>"
            return html
        }
    }

    /// One record of the tree as `meshctl audit trace` prints it, its effects nested below.
    private static func node(_ node: AuditTrace.Node) -> String {
        let input = node.record.input
        var line = "#\(node.record.sequence) \(AuditRecordFormat.time(input.eventTimeMicros)) \(input.type.isEmpty ? "(undecodable)" : input.type) from \(input.source)"
        if let signer = input.signerPrincipal, input.verification.isVerified { line += " signed by \(signer)" }
        var html = "<li><span class=\"record\">\(HTML.escape(line))</span>"
        if let reason = input.verification.reason { html += " <span class=\"error\">REJECTED: \(HTML.escape(reason))</span>" }
        if let details = AuditPayloadDetails.decode(input.raw)?.details {
            html += "<div class=\"headline\">\(HTML.escape(details.headline))</div>"
            if !details.fields.isEmpty {
                html += "<div class=\"fields\">" + details.fields.map { "\(HTML.escape($0.0)): \(HTML.escape($0.1))" }.joined(separator: " · ") + "</div>"
            }
            for finding in details.findings {
                html += "<div class=\"finding\">finding [\(HTML.escape(name(finding.severity)))] \(HTML.escape(finding.ruleID)): "
                    + "\(HTML.escape(finding.message))\(finding.location.isEmpty ? "" : " (\(HTML.escape(finding.location)))")</div>"
            }
        }
        if !node.children.isEmpty { html += "<ul>" + node.children.map(Self.node).joined() + "</ul>" }
        return html + "</li>"
    }
}
