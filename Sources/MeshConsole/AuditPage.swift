import Foundation

/// The audit store's verify status and newest checkpoint, and the export (auditors, admins).
enum AuditPage {
    static func render(_ verify: Result<[String: Any], ConsoleError>, user: ConsoleUser, csrf: String) -> String {
        var body = ""
        switch verify {
        case .failure(let error):
            body = "<p class=\"error\" id=\"audit-unavailable\">\(HTML.escape(error.message))</p>"
        case .success(let report):
            let valid = report["valid"] as? Bool ?? false
            body = "<p id=\"verify-status\" class=\"\(valid ? "ok" : "error")\">\(valid ? "VERIFIED" : "INVALID"): "
                + "\(HTML.escape(report["summary"] as? String ?? ""))</p>"
            var rows: [(String, String)] = [
                ("Verified at", report["verifiedAt"] as? String ?? ""),
                ("Log id", report["logId"] as? String ?? ""), ("Records", "\(report["recordCount"] ?? 0)"),
                ("Envelopes re-verified", "\(report["envelopesChecked"] ?? 0)"), ("Checkpoints", "\(report["checkpointCount"] ?? 0)"),
                ("Records after the last checkpoint", "\(report["unanchoredRecords"] ?? 0)"),
            ]
            if let checkpoint = report["lastGoodCheckpoint"] as? [String: Any] {
                rows.append(("Latest good checkpoint", "sequence \(checkpoint["sequence"] ?? ""), \(checkpoint["createdAt"] ?? ""), key \(checkpoint["keyId"] ?? "")"))
            } else {
                rows.append(("Latest good checkpoint", "none"))
            }
            for failure in report["failures"] as? [[String: Any]] ?? [] {
                rows.append(("Failure", "sequence \(failure["sequence"] ?? ""): \(failure["problem"] ?? ""): \(failure["detail"] ?? "")"))
            }
            body += "<table class=\"manifest\" id=\"verify\">" + rows.map { "<tr><th>\(HTML.escape($0.0))</th><td>\(HTML.escape($0.1))</td></tr>" }.joined()
                + "</table><p>Checked without anchors: checkpoints kept outside the database are checked by "
                + "<code>meshctl audit verify --anchor</code>.</p>"
        }
        if user.role.mayAudit {
            body += "<h2>Export</h2><p><a id=\"export-jsonl\" href=\"/api/audit/export?format=jsonl\">JSON lines</a> · "
                + "<a id=\"export-csv\" href=\"/api/audit/export?format=csv\">CSV</a> (as <code>meshctl audit export</code>: header with the "
                + "verification result and newest checkpoint, every record, trailer with the count and hash)</p>"
        }
        return HTML.page(title: "Audit", user: user, csrf: csrf, body: body)
    }
}
