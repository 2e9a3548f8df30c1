// Renders a catalog for people: a terminal table and Markdown documentation.

/// Renders a ``Catalog`` as text for `meshctl topics list` and as Markdown docs.
public enum CatalogRenderer {
    /// A fixed-width table, one topic per line:
    /// name, key, partitions, replication, retention, cleanup, producers, consumers.
    /// Orchestrator inputs are marked with `*`, the dead-letter topic with `†`.
    public static func table(_ catalog: Catalog) -> String {
        let header = ["TOPIC", "KEY", "PARTS", "RF", "RETENTION", "CLEANUP", "PRODUCERS", "CONSUMERS"]
        let inputs = Set(catalog.orchestratorInputs.map(\.name))
        let rows = catalog.topics.map { topic -> [String] in
            let mark = inputs.contains(topic.name) ? " *" : (topic.isDeadLetter ? " †" : "")
            return [
                topic.name + mark, topic.key.rawValue, String(topic.partitions), String(topic.replicationFactor),
                topic.retention.text, topic.cleanupPolicy.rawValue,
                topic.producers.joined(separator: ","), topic.consumers.joined(separator: ","),
            ]
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(to: widths[index])
            }.joined(separator: "  ")
        }
        var lines = [line(header)] + rows.map(line)
        lines.append("")
        lines.append("* orchestrator input (co-partitioned, \(catalog.orchestratorPartitions.map(String.init) ?? "-") partitions)   † dead-letter topic")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Markdown documentation: roles, a topic summary table, the co-partitioned set,
    /// and a section per topic with types, producers, consumers and configs.
    public static func markdown(_ catalog: Catalog) -> String {
        var out: [String] = []
        out.append("# AgentMesh topics")
        out.append("")
        out.append("Generated from the topic catalog (version \(catalog.version)). Do not edit by hand.")
        out.append("")
        out.append("## Roles")
        out.append("")
        out.append("| Role | Kind | Description |")
        out.append("| --- | --- | --- |")
        for role in catalog.roles {
            let via = role.actsThrough.map { " (acts through `\($0)`)" } ?? ""
            out.append("| `\(role.name)` | \(role.kind.rawValue) | \(cell(role.description))\(via) |")
        }
        out.append("")
        out.append("## Topics")
        out.append("")
        out.append("| Topic | Key | Partitions | Replication | Retention | Cleanup |")
        out.append("| --- | --- | ---: | ---: | --- | --- |")
        for topic in catalog.topics {
            out.append("| `\(topic.name)` | \(topic.key.rawValue) | \(topic.partitions) | \(topic.replicationFactor) | \(topic.retention.text) | \(topic.cleanupPolicy.rawValue) |")
        }
        out.append("")
        out.append("## Orchestrator inputs (co-partitioned)")
        out.append("")
        out.append("These topics are consumed by the orchestrator and keyed by correlation id, so they share one partition count and one orchestrator instance owns a plan end to end:")
        out.append("")
        for topic in catalog.orchestratorInputs {
            out.append("- `\(topic.name)` (\(topic.partitions) partitions)")
        }
        out.append("")
        out.append("Every producer places keyed records with the `\(catalog.partitioner.rawValue)` partitioner "
                   + "(CRC-32 of the key modulo the partition count; librdkafka `partitioner=\(catalog.partitioner.rawValue)`). "
                   + "A record of a correlation-keyed topic found on another partition is dead-lettered as `misrouted`.")
        for topic in catalog.topics {
            out.append("")
            out.append("### `\(topic.name)`")
            out.append("")
            out.append(topic.description)
            out.append("")
            if let role = topic.taskFor { out.append("- **Tasks for:** `\(role)`") }
            if topic.isDeadLetter { out.append("- **Dead-letter topic**") }
            out.append("- **Key:** \(topic.key.rawValue); **partitions:** \(topic.partitions); **replication:** \(topic.replicationFactor)")
            out.append("- **Retention:** \(topic.retention.text) (`retention.ms=\(topic.retentionMs)`), cleanup \(topic.cleanupPolicy.rawValue)")
            switch topic.types {
            case .any: out.append("- **Types:** any (raw bytes)")
            case .only(let names): out.append("- **Types:** " + names.map { "`\($0)`" }.joined(separator: ", "))
            }
            let producers = topic.producerGrants.map { grant in
                "`\(grant.role)`" + (grant.types.map { " (" + $0.joined(separator: ", ") + ")" } ?? "")
            }
            out.append("- **Producers:** " + producers.joined(separator: ", "))
            out.append("- **Consumers:** " + topic.consumers.map { "`\($0)`" }.joined(separator: ", "))
            if !topic.configs.isEmpty {
                let configs = topic.configs.sorted { $0.key < $1.key }.map { "`\($0.key)=\($0.value)`" }
                out.append("- **Configs:** " + configs.joined(separator: ", "))
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    private static func cell(_ text: String) -> String {
        text.replacingPipes
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    var replacingPipes: String { String(map { $0 == "|" ? "/" : $0 }) }
}
