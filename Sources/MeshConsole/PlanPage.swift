import MeshOps
import MeshSigning
import MeshWire

/// One plan: its tasks, every attempt's result with its artifacts, the verdicts on each attempt
/// with their findings, rules and policy bundle hash, and any approval waiting on a person.
enum PlanPage {
    static func render(_ snapshot: MeshSnapshot, plan: OpsObjectiveStatus, user: ConsoleUser, csrf: String) -> String {
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
        body += "<h2>Attempts</h2>"
        let verdicts = snapshot.verdicts[plan.correlationID] ?? []
        for envelope in snapshot.results[plan.correlationID] ?? [] {
            guard case .taskResult(let result) = envelope.payload else { continue }
            body += "<section class=\"attempt\"><h3>\(HTML.escape(result.taskID)) attempt \(result.attempt): "
                + "\(HTML.escape(OpsNames.state(result.state)))</h3><p>by \(HTML.escape(result.agentID)): \(HTML.escape(result.summary))</p>"
            body += artifacts(result.artifacts)
            for verdict in verdicts where verdict.taskID == result.taskID && verdict.attempt == result.attempt {
                body += Self.verdict(verdict)
            }
            body += "</section>"
        }
        if let completed = plan.completed {
            body += "<h2>Outcome</h2><p class=\"ok\">\(HTML.escape(completed.summary))</p>" + artifacts(completed.artifacts)
        }
        if let failed = plan.failed {
            body += "<h2>Outcome</h2><p class=\"error\">task \(HTML.escape(failed.failedTaskID)): \(HTML.escape(failed.reason))</p>"
        }
        return HTML.page(title: "Plan \(plan.correlationID)", user: user, csrf: csrf, body: body)
    }

    static func artifacts(_ artifacts: [Artifact]) -> String {
        artifacts.map { artifact in
            "<details class=\"artifact\"><summary>\(HTML.escape(artifact.name)) (\(HTML.escape(artifact.mediaType)), "
                + "\(artifact.content.count) bytes, sha256 \(Hex.encode(artifact.sha256).prefix(16))…)</summary>"
                + "<pre>\(HTML.escape(String(decoding: artifact.content, as: UTF8.self)))</pre></details>"
        }.joined()
    }

    static func verdict(_ verdict: Verdict) -> String {
        "<div class=\"verdict\"><p>Verdict (\(HTML.escape(verdict.kind.protoName))) by \(HTML.escape(verdict.reviewerID)): "
            + "<strong>\(HTML.escape(OpsNames.decision(verdict.decision)))</strong>; rules \(HTML.escape(verdict.decidedByRules.joined(separator: ", "))); "
            + "policy bundle \(HTML.escape(verdict.policyBundleHash))</p>"
            + (verdict.findings.isEmpty ? "" : HTML.table(["Rule", "Severity", "Where", "Finding"], verdict.findings.map {
                [HTML.escape($0.ruleID), HTML.escape($0.severity.protoName), HTML.escape($0.location), HTML.escape($0.message)]
            }))
            + "</div>"
    }
}
