import ArgumentParser
import Foundation
import Logging
import MeshCLI
import MeshCatalog
import MeshKafka
import MeshLogging
import MeshOps

/// `meshctl lag`: committed offset, end offset and lag per partition for the consumer groups
/// of the mesh's roles, with totals per group and, where the broker can say, the members.
struct LagCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lag",
        abstract: "Show consumer-group lag of the mesh roles (committed offset, end offset, lag per partition).",
        discussion: """
            Without --group: every consuming role of the catalog, group mesh-<role> (the audit sink:
            audit-sink), over the topics that role consumes. With --group G: that group, over the
            catalog topics its role consumes (G = mesh-<role> or audit-sink), or over --topic.
            A partition without a committed offset counts everything stored as lag (the group
            would start at the oldest record). Members and assignments come from DescribeGroups,
            which the embedded broker does not implement; that is reported, not an error.
            """)

    @OptionGroup var catalog: CatalogOptions
    @OptionGroup var connection: ConnectionOptions
    @Option(help: ArgumentHelp("Only this consumer group (repeatable).", valueName: "group")) var group: [String] = []
    @Option(help: ArgumentHelp("Topics to inspect for --group instead of the role's catalog topics (repeatable).", valueName: "topic"))
    var topic: [String] = []
    @Flag(help: "Print JSON instead of tables.") var json = false
    @Flag(help: "Skip DescribeGroups (members and assignments).") var noMembers = false
    @Option(help: "Seconds to wait for each broker request.") var timeout = 10.0

    func validate() throws {
        if !topic.isEmpty && group.isEmpty { throw ValidationError("--topic needs --group") }
    }

    func run() async throws {
        MeshLogging.bootstrap(role: MeshRoles.meshctl, level: .error)
        let loaded = try catalog.load()
        let targets = try LagTargets.resolve(catalog: loaded, groups: group, topics: topic)
        let inspector = try ConsumerGroupInspector(
            configuration: connection.kafkaConfiguration(), logger: Logger(label: MeshRoles.meshctl))
        let wait = Duration.milliseconds(Int64(timeout * 1000))
        let reports = try RoleConsumerGroups.lag(of: targets, inspector: inspector, timeout: wait).map { lag in
            GroupLagReport(group: lag.target.group, role: lag.target.role, partitions: lag.partitions, missingTopics: lag.missingTopics,
                           membership: noMembers ? nil : inspector.describe(group: lag.target.group, timeout: wait))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(LagJSON(groups: reports.map(\.json))), as: UTF8.self))
        } else {
            print(reports.map(\.table).joined(separator: "\n"))
        }
    }
}

typealias LagTarget = RoleConsumerGroups.Target

enum LagTargets {
    static func resolve(catalog: Catalog, groups: [String], topics: [String]) throws -> [LagTarget] {
        let all = RoleConsumerGroups.targets(in: catalog)
        if groups.isEmpty { return all }
        return try groups.map { name in
            let known = all.first { $0.group == name }
            if !topics.isEmpty {
                for topic in topics where catalog.topic(named: topic) == nil {
                    throw ValidationError("--topic \(topic) is not in the catalog")
                }
                return LagTarget(group: name, role: known?.role, topics: topics)
            }
            guard let known else {
                throw ValidationError(
                    "group \(name) belongs to no catalog role (known: \(all.map(\.group).joined(separator: ", "))); pass --topic")
            }
            return known
        }
    }
}

struct GroupLagReport {
    var group: String
    var role: String?
    var partitions: [PartitionLag]
    var missingTopics: [String]
    var membership: GroupMembership?

    var totalLag: Int64 { partitions.reduce(0) { $0 + $1.lag } }
    var totalEnd: Int64 { partitions.reduce(0) { $0 + $1.end } }

    var json: LagJSON.Group {
        var members: [LagJSON.Member]? = nil
        var note: String? = nil
        var state: String? = nil
        switch membership {
        case .described(let groupState, let list)?:
            state = groupState
            members = list.map {
                LagJSON.Member(memberId: $0.memberID, clientId: $0.clientID, host: $0.host, instanceId: $0.instanceID,
                               assignment: $0.assignment.map { "\($0.topic)[\($0.partition)]" })
            }
        case .unavailable(let text)?: note = text
        case nil: note = "not requested"
        }
        return LagJSON.Group(
            group: group, role: role, totalLag: totalLag, state: state, members: members, membersNote: note,
            missingTopics: missingTopics,
            partitions: partitions.map {
                LagJSON.Partition(topic: $0.topic, partition: $0.partition, committed: $0.committed,
                                  logStart: $0.logStart, end: $0.end, lag: $0.lag)
            })
    }

    var table: String {
        var lines = ["GROUP \(group)" + (role.map { " (role \($0))" } ?? "") + "  total lag \(totalLag)"]
        let header = ["TOPIC", "PARTITION", "COMMITTED", "END", "LAG"]
        var rows = [header]
        for item in partitions {
            rows.append([item.topic, String(item.partition), item.committed.map(String.init) ?? "-",
                         String(item.end), String(item.lag)])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            lines.append("  " + row.enumerated().map { column, text in
                column == 0 ? text.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - text.count) + text
            }.joined(separator: "  "))
        }
        for topic in missingTopics { lines.append("  \(topic): not on the cluster (run `meshctl topics apply`)") }
        switch membership {
        case .described(let state, let members)?:
            lines.append("  state \(state), \(members.count) member(s)")
            for member in members {
                let assigned = member.assignment.map { "\($0.topic)[\($0.partition)]" }.joined(separator: ",")
                lines.append("    \(member.clientID) \(member.host) \(assigned.isEmpty ? "(no partitions)" : assigned)")
            }
        case .unavailable(let text)?: lines.append("  members: \(text)")
        case nil: break
        }
        return lines.joined(separator: "\n")
    }
}

struct LagJSON: Encodable {
    struct Partition: Encodable {
        var topic: String
        var partition: Int32
        /// `null` when the group never committed on the partition.
        var committed: Int64?
        var logStart: Int64
        var end: Int64
        var lag: Int64

        enum CodingKeys: String, CodingKey { case topic, partition, committed, logStart, end, lag }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(topic, forKey: .topic)
            try container.encode(partition, forKey: .partition)
            try container.encode(committed, forKey: .committed)  // explicit null, not omitted
            try container.encode(logStart, forKey: .logStart)
            try container.encode(end, forKey: .end)
            try container.encode(lag, forKey: .lag)
        }
    }

    struct Member: Encodable {
        var memberId: String
        var clientId: String
        var host: String
        var instanceId: String?
        var assignment: [String]
    }

    struct Group: Encodable {
        var group: String
        var role: String?
        var totalLag: Int64
        var state: String?
        var members: [Member]?
        var membersNote: String?
        var missingTopics: [String]
        var partitions: [Partition]
    }

    var groups: [Group]
}
