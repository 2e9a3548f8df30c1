import MeshOps

/// Live role instances per role from their agent cards (as `meshctl agents --all`).
enum AgentsPage {
    static func render(_ agents: [APIModels.Agent], user: ConsoleUser, csrf: String) -> String {
        let roles = Dictionary(grouping: agents.filter { $0.status == "live" }, by: \.role)
        let summary = roles.keys.sorted().map { "\(HTML.escape($0)): \(roles[$0]!.count) live" }.joined(separator: " · ")
        return HTML.page(title: "Agents", user: user, csrf: csrf, body:
            "<p id=\"live-per-role\">\(summary.isEmpty ? "no live instances" : summary)</p>"
            + HTML.table(["Role", "Instance", "Status", "Last card", "Version", "Handler", "Model", "In flight", "Processed",
                          "Per minute", "Last error"], agents.map {
                [HTML.escape($0.role), HTML.escape($0.instance), "<span class=\"status-\(HTML.escape($0.status))\">\(HTML.escape($0.status))</span>",
                 HTML.escape($0.lastSeen) + " (\(Int($0.ageSeconds)) s ago)", HTML.escape($0.version), HTML.escape($0.handler),
                 HTML.escape($0.model), String($0.inFlight), String($0.processed),
                 $0.processedPerMinute.map { String(format: "%.1f", $0) } ?? "-", HTML.escape($0.lastError)]
            }, id: "agents"))
    }
}
