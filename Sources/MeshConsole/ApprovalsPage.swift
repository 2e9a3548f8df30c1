import MeshLogging
import MeshOps

/// The approvals inbox: requests waiting on a person first, then decided ones.
enum ApprovalsPage {
    static func render(_ book: OpsApprovalBook, user: ConsoleUser, csrf: String) -> String {
        let rows = book.requests.reversed().map { item -> [String] in
            let decided = book.decisions[item.request.approvalID].map {
                "\(OpsNames.decision($0.decision.decision)) by \($0.decision.printedName)"
            } ?? "waiting"
            return ["<a href=\"/approvals/\(HTML.escape(item.request.approvalID))\">\(HTML.escape(item.request.approvalID))</a>",
                    "<a href=\"/plans/\(HTML.escape(item.envelope.correlationID))\">\(HTML.escape(item.envelope.correlationID))</a>",
                    HTML.escape(item.request.taskID), String(item.request.attempt), HTML.escape(item.request.authorID),
                    HTML.escape(RFC3339.format(unixMicros: item.request.deadlineUnixMicros, fractionDigits: 0)),
                    HTML.escape(item.request.reason), HTML.escape(decided)]
        }
        return HTML.page(title: "Approvals", user: user, csrf: csrf, body:
            HTML.table(["Approval", "Objective", "Task", "Attempt", "Author", "Deadline", "Why", "Decision"], rows, id: "approvals"))
    }
}
