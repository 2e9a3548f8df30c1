import MeshOps
import MeshSigning
import MeshTransport
import MeshWire

/// Everything the console shows, folded from verified envelopes of mesh.objectives, mesh.plans,
/// mesh.results, mesh.verdicts and mesh.approvals. Kafka is the source for all of it: these
/// topics hold the live state, and reading them needs no audit store (the audit store keeps
/// the same envelopes for years, for trace and verify, which this slice does not show yet).
public struct MeshSnapshot: Sendable {
    public var plans: [OpsObjectiveStatus]
    public var results: [String: [Envelope]]
    public var verdicts: [String: [Verdict]]
    public var approvals: OpsApprovalBook

    public static let topics = ["mesh.objectives", "mesh.plans", "mesh.results", "mesh.verdicts", "mesh.approvals"]

    public init(_ inbound: [InboundEnvelope]) {
        approvals = OpsApprovalBook(inbound)
        var byObjective: [String: [Envelope]] = [:]
        var order: [String] = []
        var results: [String: [Envelope]] = [:]
        var verdicts: [String: [Verdict]] = [:]
        for envelope in inbound.map(\.envelope) {
            switch envelope.payload {
            case .objectiveSubmitted, .objectiveCancelRequested, .planCreated, .planStatus, .planCompleted, .planFailed:
                if byObjective[envelope.correlationID] == nil { order.append(envelope.correlationID) }
                byObjective[envelope.correlationID, default: []].append(envelope)
            case .taskResult:
                results[envelope.correlationID, default: []].append(envelope)
            case .verdict(let verdict):
                verdicts[envelope.correlationID, default: []].append(verdict)
            default:
                break
            }
        }
        plans = order.map { OpsObjectiveStatus(correlationID: $0, envelopes: byObjective[$0] ?? []) }
        self.results = results
        self.verdicts = verdicts
    }

    public func plan(_ correlationID: String) -> OpsObjectiveStatus? { plans.first { $0.correlationID == correlationID } }

    /// One line per plan for lists and the live feed.
    public var planSummaries: [PlanSummary] {
        plans.map { plan in
            PlanSummary(id: plan.correlationID, title: plan.objective?.title ?? "", playbook: plan.objective?.playbook ?? "",
                        state: plan.state,
                        tasks: plan.rows.map { PlanSummary.Task(task: $0.task, role: $0.role, state: $0.state, attempt: Int($0.attempt)) },
                        waitingOnApproval: approvals.pending.filter { $0.envelope.correlationID == plan.correlationID }.map(\.request.approvalID))
        }
    }
}

/// A plan as the list page, the live feed and `GET /api/plans` give it.
public struct PlanSummary: Sendable, Codable, Equatable {
    public struct Task: Sendable, Codable, Equatable {
        public var task: String
        public var role: String
        public var state: String
        public var attempt: Int
    }
    public var id: String
    public var title: String
    public var playbook: String
    public var state: String
    public var tasks: [Task]
    /// Approval ids waiting on a person.
    public var waitingOnApproval: [String]
}
