import MeshOps

/// Live role instances per role from their agent cards (as `meshctl agents --all`), and each
/// consuming role's consumer-group lag from the broker (as `meshctl lag`).
enum AgentsPage {
    static func render(_ agents: [APIModels.Agent], lag: Result<[APIModels.ConsumerLag], ConsoleError>, user: ConsoleUser,
                       csrf: String) -> String {
        let roles = Dictionary(grouping: agents.filter { $0.status == "live" }, by: \.role)
        let summary = roles.keys.sorted().map { "\(HTML.escape($0)): \(roles[$0]!.count) live" }.joined(separator: " · ")
        return HTML.page(title: "Agents", user: user, csrf: csrf, body:
            "<p id=\"live-per-role\">\(summary.isEmpty ? "no live instances" : summary)</p>"
            + lagTable(lag, live: roles.mapValues(\.count))
            + HTML.table(["Role", "Instance", "Status", "Last card", "Version", "Handler", "Model", "In flight", "Processed",
                          "Per minute", "Last error"], agents.map {
                [HTML.escape($0.role), HTML.escape($0.instance), "<span class=\"status-\(HTML.escape($0.status))\">\(HTML.escape($0.status))</span>",
                 HTML.escape($0.lastSeen) + " (\(Int($0.ageSeconds)) s ago)", HTML.escape($0.version), HTML.escape($0.handler),
                 HTML.escape($0.model), String($0.inFlight), String($0.processed),
                 $0.processedPerMinute.map { String(format: "%.1f", $0) } ?? "-", HTML.escape($0.lastError)]
            }, id: "agents"))
    }

    /// One row per consuming role; the partitions still behind are named so an operator sees
    /// where a backlog sits. A broker that cannot answer leaves the rest of the page intact.
    static func lagTable(_ lag: Result<[APIModels.ConsumerLag], ConsoleError>, live: [String: Int]) -> String {
        switch lag {
        case .failure(let error):
            return "<p class=\"error\" id=\"consumer-lag-error\">Consumer lag unavailable: \(HTML.escape(error.message))</p>"
        case .success(let groups):
            return "<h2>Consumer lag</h2>" + HTML.table(["Role", "Live", "Consumer group", "Lag (records)", "Behind"], groups.map { group in
                let behind = group.partitions.filter { $0.lag > 0 }.map { "\($0.topic)[\($0.partition)]: \($0.lag)" }
                    + group.missingTopics.map { "\($0): not on the cluster" }
                return [HTML.escape(group.role), String(live[group.role] ?? 0), HTML.escape(group.group),
                        "<span class=\"lag\" data-role=\"\(HTML.escape(group.role))\">\(group.lag)</span>",
                        HTML.escape(behind.joined(separator: ", "))]
            }, id: "consumer-lag")
        }
    }
}
