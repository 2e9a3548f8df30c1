import MeshCatalog
import MeshWire

/// One envelope the orchestrator wants published, and where.
public struct Output: Sendable, Hashable {
    /// Which topic family the envelope goes to.
    public enum Destination: Sendable, Hashable {
        /// `mesh.plans`: PlanCreated, PlanStatus, PlanCompleted, PlanFailed.
        case plans
        /// `mesh.tasks.<role>`: TaskAssigned.
        case tasks(AgentRole)
        /// `mesh.approvals`: ApprovalRequested, and expiry ApprovalDecisions.
        case approvals
        /// `mesh.results`: the failed results of attempts whose assignment timed out.
        case results
        /// `mesh.orchestrator.changelog`: the signed snapshot of a plan after an event.
        case changelog

        /// The Kafka topic in `catalog`: the role's task topic for tasks (`nil` when the
        /// catalog declares none), the well-known topic otherwise.
        public func topic(in catalog: Catalog) -> String? {
            switch self {
            case .plans: MeshTopics.plans
            case .tasks(let role): catalog.taskTopic(for: role.rawValue)?.name
            case .approvals: MeshTopics.approvals
            case .results: MeshTopics.results
            case .changelog: MeshTopics.changelog
            }
        }
    }

    /// Where to publish.
    public var destination: Destination
    /// What to publish (the runtime signs and seals it; the key is its correlation id).
    public var envelope: Envelope

    /// Creates an output.
    public init(destination: Destination, envelope: Envelope) {
        self.destination = destination
        self.envelope = envelope
    }
}
