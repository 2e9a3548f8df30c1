import MeshLogging
import MeshOps
import MeshSigning
import MeshWire

/// What is being signed (the result hash, the artifacts, the findings, the author) and, for an
/// approver, the signing form: the printed name and time the manifest will carry are shown,
/// the meaning is chosen, and the password is re-entered (§11.200(a)).
enum ApprovalPage {
    static func render(_ snapshot: MeshSnapshot, request: ApprovalRequested, envelope: Envelope, user: ConsoleUser, csrf: String,
                       message: String? = nil, now: Int64) -> String {
        var body = message.map { "<p class=\"error\" id=\"sign-error\">\(HTML.escape($0))</p>" } ?? ""
        body += "<table class=\"manifest\" id=\"manifest\">"
            + row("Approval", request.approvalID)
            + row("Objective", [envelope.correlationID, snapshot.plan(envelope.correlationID)?.objective?.title ?? ""]
                .filter { !$0.isEmpty }.joined(separator: ": "))
            + row("Task / attempt", "\(request.taskID) attempt \(request.attempt)")
            + row("Author", request.authorID)
            + row("Result SHA-256", Hex.encode(request.resultSHA256))
            + row("Why a person", request.reason)
            + row("Deadline", RFC3339.format(unixMicros: request.deadlineUnixMicros, fractionDigits: 0))
            + "</table>"
        let result = (snapshot.results[envelope.correlationID] ?? []).first { $0.id == request.resultEnvelopeID }
        if let result, case .taskResult(let value) = result.payload {
            body += "<h2>Artifacts</h2><p>\(HTML.escape(value.summary))</p>" + PlanPage.artifacts(value.artifacts)
        }
        for verdict in snapshot.verdicts[envelope.correlationID] ?? [] where verdict.taskID == request.taskID && verdict.attempt == request.attempt {
            body += PlanPage.verdict(verdict)
        }
        if let decided = snapshot.approvals.decisions[request.approvalID]?.decision {
            body += "<h2>Decision</h2><p class=\"ok\" id=\"decision\">\(HTML.escape(OpsNames.decision(decided.decision))) by "
                + "\(HTML.escape(decided.printedName)) (\(HTML.escape(decided.signerID))), meaning \(HTML.escape(decided.meaning)), at "
                + "\(HTML.escape(RFC3339.format(unixMicros: decided.signedAtUnixMicros, fractionDigits: 0)))</p>"
        } else if user.role.maySign {
            body += """
                <h2>Sign</h2>
                <form method="post" action="/approvals/\(HTML.escape(request.approvalID))/sign" id="sign">
                <input type="hidden" name="csrf" value="\(HTML.escape(csrf))">
                <p>Signing as <strong id="printed-name">\(HTML.escape(user.printedName))</strong> (\(HTML.escape(user.name))),
                now (\(HTML.escape(RFC3339.format(unixMicros: now, fractionDigits: 0)))); the signature binds your name, the time
                and the meaning to the result hash above.</p>
                <label>Decision <select name="decision" id="decision-choice"><option value="approve">Approve</option>
                <option value="reject">Reject</option></select></label>
                <label>Meaning <select name="meaning" id="meaning"><option>approved</option><option>reviewed</option>
                <option>rejected</option></select></label>
                <label>Reason <input name="reason" id="reason"></label>
                <label>Password (re-enter to sign) <input type="password" name="password" id="sign-password" autocomplete="current-password" required></label>
                <button type="submit" id="sign-button">Sign</button>
                </form>
                """
        } else {
            body += "<p>Your role (\(HTML.escape(user.role.rawValue))) may not sign approvals.</p>"
        }
        return HTML.page(title: "Approval \(request.approvalID)", user: user, csrf: csrf, body: body)
    }

    private static func row(_ name: String, _ value: String) -> String {
        "<tr><th>\(HTML.escape(name))</th><td>\(HTML.escape(value))</td></tr>"
    }
}
