import Foundation

/// Compose/grafana/dashboards/agentmesh.json as tests read it: the deployment checks (it
/// parses, its datasource is provisioned) and the integration checks (every series it
/// queries is on a role's `/metrics`).
public enum DashboardFile {
    public struct Unreadable: Error, CustomStringConvertible {
        public let description: String
    }

    public static func load() throws -> [String: Any] {
        let url = repositoryRoot().appendingPathComponent("Compose/grafana/dashboards/agentmesh.json")
        guard let dashboard = try JSONSerialization.jsonObject(with: try Data(contentsOf: url)) as? [String: Any] else {
            throw Unreadable(description: "\(url.path) is not a JSON object")
        }
        return dashboard
    }

    /// Every PromQL expression of every panel.
    public static func expressions(_ dashboard: [String: Any]) -> [String] {
        ((dashboard["panels"] as? [[String: Any]]) ?? []).flatMap { panel in
            ((panel["targets"] as? [[String: Any]]) ?? []).compactMap { $0["expr"] as? String }
        }
    }

    /// The agentmesh series a PromQL expression names.
    public static func series(in expression: String) -> Set<String> {
        var found: Set<String> = []
        var rest = expression[...]
        while let start = rest.range(of: "agentmesh_") {
            let name = rest[start.lowerBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            found.insert(String(name))
            rest = rest[name.endIndex...]
        }
        return found
    }
}
