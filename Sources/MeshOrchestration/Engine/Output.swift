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

        /// The Kafka topic name from `Topics/mesh.yaml`.
        public var topic: String {
            switch self {
            case .plans: "mesh.plans"
            case .tasks(let role): role.taskTopic
            case .approvals: "mesh.approvals"
            case .results: "mesh.results"
            case .changelog: "mesh.orchestrator.changelog"
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
