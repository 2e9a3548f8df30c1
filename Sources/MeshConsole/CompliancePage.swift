/// Findings by rule, class and severity, and findings and decisions over time (from
/// mesh.verdicts, via the feed).
enum CompliancePage {
    static func render(_ summary: ComplianceSummary, classesFrom bundleHash: String?, user: ConsoleUser, csrf: String) -> String {
        HTML.page(title: "Compliance", user: user, csrf: csrf, body:
            "<h2>Findings by rule</h2>"
            + HTML.table(["Rule", "Class", "Severity", "Verdict kind", "Findings"], summary.byRule.map {
                [HTML.escape($0.rule), HTML.escape($0.identifierClass), HTML.escape($0.severity), HTML.escape($0.kind), String($0.findings)]
            }, id: "by-rule")
            + "<h2>Findings by class</h2>"
            + "<p id=\"classes-from\">Classes as the rules of policy bundle \(HTML.escape(bundleHash ?? "(none loaded)")) define them.</p>"
            + HTML.table(["Class", "Findings"], summary.byClass.map { [HTML.escape($0.identifierClass), String($0.findings)] }, id: "by-class")
            + "<h2>Findings by severity</h2>"
            + HTML.table(["Severity", "Findings"], summary.bySeverity.map { [HTML.escape($0.severity), String($0.findings)] }, id: "by-severity")
            + "<h2>Findings per hour</h2>"
            + HTML.table(["Hour (UTC)", "Rule", "Class", "Decision", "Findings"], summary.findingsByHour.map {
                [HTML.escape($0.hour), HTML.escape($0.rule), HTML.escape($0.identifierClass), HTML.escape($0.decision), String($0.findings)]
            }, id: "findings-over-time")
            + "<h2>Decisions per hour</h2>"
            + HTML.table(["Hour (UTC)", "Verdict kind", "Decision", "Verdicts"], summary.decisionsByHour.map {
                [HTML.escape($0.hour), HTML.escape($0.kind), HTML.escape($0.decision), String($0.verdicts)]
            }, id: "decisions"))
    }
}
