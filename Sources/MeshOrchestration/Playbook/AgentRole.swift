/// The six agent roles a playbook task can be addressed to.
///
/// Each role consumes its own task topic, `mesh.tasks.<role>` (see `Topics/mesh.yaml`).
public enum AgentRole: String, Sendable, Hashable, Codable, CaseIterable {
    case coding, testing, security, documentation, ux, discovery

    /// The Kafka topic the role's `TaskAssigned` envelopes go to.
    public var taskTopic: String { "mesh.tasks.\(rawValue)" }
}
