import MeshCatalog
import MeshKafka

/// The consumer group each consuming role's processes join and the topics they read with it,
/// and that group's lag as the broker reports it (committed offsets against end offsets).
/// `meshctl lag` and the console's agents page both read lag this way.
public enum RoleConsumerGroups {
    public struct Target: Equatable, Sendable {
        public var group: String
        public var role: String?
        public var topics: [String]

        public init(group: String, role: String?, topics: [String]) {
            self.group = group
            self.role = role
            self.topics = topics
        }
    }

    public struct Lag: Sendable {
        public var target: Target
        public var partitions: [PartitionLag]
        /// Topics of the target that do not exist on the cluster.
        public var missingTopics: [String]

        public var total: Int64 { partitions.reduce(0) { $0 + $1.lag } }
    }

    /// The group a role's processes join (see RoleWorkerConfiguration: mesh-<role>; the audit
    /// sink uses its role name).
    public static func group(of role: Role) -> String {
        role.kind == .audit ? role.name : "mesh-\(role.name)"
    }

    /// The topics the role's process subscribes to with its group: an agent its task topic,
    /// the orchestrator its co-partitioned inputs except the changelog (read back outside the
    /// group), every other role what the catalog lists it as consuming.
    public static func topics(of role: Role, in catalog: Catalog) -> [String] {
        switch role.kind {
        case .agent: return catalog.taskTopic(for: role.name).map { [$0.name] } ?? []
        case .orchestrator:
            return catalog.orchestratorInputs.map(\.name).filter { $0 != MeshTopics.changelog }
        default: return catalog.topics(consumedBy: role.name).map(\.name)
        }
    }

    static let consumingKinds: Set<RoleKind> = [.orchestrator, .agent, .reviewer, .compliance, .audit]

    /// Every consuming role of the catalog, in catalog order.
    public static func targets(in catalog: Catalog) -> [Target] {
        catalog.roles.filter { consumingKinds.contains($0.kind) }
            .map { Target(group: group(of: $0), role: $0.name, topics: topics(of: $0, in: catalog)) }
    }

    /// Each target's lag per partition of its topics that exist on the cluster.
    public static func lag(of targets: [Target], inspector: ConsumerGroupInspector, timeout: Duration) throws -> [Lag] {
        let existing = try inspector.partitionCounts(timeout: timeout)
        return try targets.map { target in
            let counts = existing.filter { target.topics.contains($0.key) }
            return Lag(target: target, partitions: try inspector.lag(group: target.group, topics: counts, timeout: timeout),
                       missingTopics: target.topics.filter { existing[$0] == nil })
        }
    }
}
