// The catalog's value types: roles, topics and the catalog that holds them.

/// A place in a catalog file, used to point at the line a problem comes from.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file as shown to people, e.g. `Topics/mesh.yaml`.
    public let file: String
    /// Line number, starting at 1 (0 when unknown).
    public let line: Int
    /// Column number, starting at 1 (0 when unknown).
    public let column: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int = 0) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line`.
    public var description: String { "\(file):\(line)" }
}

/// What a role is in the mesh; decides which rules apply to it:
/// `orchestrator` inputs define co-partitioning, each `agent` needs a task topic, the
/// `audit` role must consume every topic, a `person` acts through an `operator` tool.
public enum RoleKind: String, Sendable, CaseIterable, Hashable {
    case orchestrator, agent, reviewer, compliance, audit, `operator`, person
}

/// A participant that may produce to or consume from topics.
public struct Role: Sendable, Hashable {
    /// Unique name referenced by topics, e.g. `coding`.
    public let name: String
    /// What the role is.
    public let kind: RoleKind
    /// One line for operators.
    public let description: String
    /// For a person: the operator tool the person acts through (e.g. `meshctl`).
    public let actsThrough: String?
    /// Where the role is declared.
    public let location: SourceLocation
}

/// What a topic's record key holds; decides partitioning.
public enum TopicKey: String, Sendable, CaseIterable, Hashable {
    /// Everything of one objective shares the key, so it lands on one partition.
    case correlationID = "correlation_id"
    /// One running instance of a role.
    case agentID = "agent_id"
    /// No key; records are spread over partitions.
    case none
}

/// Kafka's `cleanup.policy`.
public enum CleanupPolicy: String, Sendable, CaseIterable, Hashable {
    /// Records are deleted after the retention time.
    case delete
    /// Only the latest record per key is kept.
    case compact
    /// Compacted, and records older than the retention time are deleted too.
    case compactDelete = "compact,delete"
}

/// How long records are kept, as written (`7d`) and in milliseconds.
public struct Retention: Sendable, Hashable, CustomStringConvertible {
    /// The text as written in the catalog, e.g. `7d` or `forever`.
    public let text: String
    /// The duration in milliseconds, or `nil` for `forever`.
    public let milliseconds: Int64?

    /// Kafka's `retention.ms` value: the duration, or `-1` for `forever`.
    public var kafkaRetentionMs: Int64 { milliseconds ?? -1 }
    /// True for `forever`.
    public var isForever: Bool { milliseconds == nil }
    /// The text as written.
    public var description: String { text }
}

/// The envelope types a topic carries.
public enum CarriedTypes: Sendable, Hashable {
    /// Any bytes of any type (dead letters, internal state records).
    case any
    /// Exactly these envelope type names.
    case only([String])

    /// True if a record of `type` may be carried.
    public func contains(_ type: String) -> Bool {
        switch self {
        case .any: return true
        case .only(let names): return names.contains(type)
        }
    }
}

/// A role's permission to produce to one topic.
public struct ProducerGrant: Sendable, Hashable {
    /// The producing role.
    public let role: String
    /// The types it may write, or `nil` for every type the topic carries.
    public let types: [String]?
}

/// One declared Kafka topic.
public struct Topic: Sendable, Hashable {
    /// Kafka topic name.
    public let name: String
    /// What flows on it.
    public let description: String
    /// What the record key holds.
    public let key: TopicKey
    /// Partition count.
    public let partitions: Int
    /// Replication factor on a real cluster.
    public let replicationFactor: Int
    /// How long records are kept.
    public let retention: Retention
    /// Kafka cleanup policy.
    public let cleanupPolicy: CleanupPolicy
    /// Extra Kafka topic configs, passed through at creation.
    public let configs: [String: String]
    /// Envelope types carried.
    public let types: CarriedTypes
    /// Who may produce, and which types.
    public let producerGrants: [ProducerGrant]
    /// Roles that consume, in declared order.
    public let consumers: [String]
    /// For a task topic: the agent role its tasks are for.
    public let taskFor: String?
    /// True for the dead-letter topic.
    public let isDeadLetter: Bool
    /// Where the topic is declared.
    public let location: SourceLocation

    /// Roles that may produce, in declared order.
    public var producers: [String] { producerGrants.map(\.role) }
}

/// A loaded and validated topic catalog. Create one with ``CatalogLoader``.
public struct Catalog: Sendable, Hashable {
    /// The format version read (`catalog: 1`).
    public let version: Int
    /// How every producer maps a record key to a partition (`partitioner:`); receivers
    /// dead-letter a record of a correlation-keyed topic found elsewhere (`misrouted`).
    public let partitioner: KeyPartitioner
    /// Every declared role, in declared order.
    public let roles: [Role]
    /// Every declared topic, in declared order (files in name order).
    public let topics: [Topic]
    /// Problems that do not stop the catalog from loading.
    public let warnings: [CatalogIssue]

    /// librdkafka's default, so a catalog that states nothing matches the clients most
    /// producers use; the shipped catalog states it anyway.
    public static let defaultPartitioner = KeyPartitioner.consistentRandom
}
