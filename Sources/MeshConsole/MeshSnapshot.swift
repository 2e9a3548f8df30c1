import MeshOps
import MeshSigning
import MeshTransport
import MeshWire

/// The live state the console shows, folded from verified envelopes of mesh.objectives,
/// mesh.plans, mesh.results, mesh.verdicts and mesh.approvals. Kafka is the source here: these
/// topics are where the state changes first (the audit sink stores them after), one read
/// serves every page and live stream, and nothing of it needs the audit database to be up.
/// History (the causal tree, timeline, verify status, export) comes from the audit store
/// instead (`AuditView`): it keeps what topic retention trims, and also the assignments,
/// operator actions and rejected records that are not folded here.
public struct MeshSnapshot: Sendable {
    public var plans: [OpsObjectiveStatus]
    public var results: [String: [Envelope]]
    public var verdicts: [String: [Verdict]]
    public var approvals: OpsApprovalBook
    /// Every verdict with its envelope time, oldest first (the compliance page's history).
    public var verdictLog: [TimedVerdict]

    public struct TimedVerdict: Sendable {
        public var timeUnixMicros: Int64
        public var correlationID: String
        public var verdict: Verdict
    }

    public static let topics = ["mesh.objectives", "mesh.plans", "mesh.results", "mesh.verdicts", "mesh.approvals"]

    public init(_ inbound: [InboundEnvelope]) {
        approvals = OpsApprovalBook(inbound)
        var byObjective: [String: [Envelope]] = [:]
        var order: [String] = []
        var results: [String: [Envelope]] = [:]
        var verdicts: [String: [Verdict]] = [:]
        var log: [TimedVerdict] = []
        for envelope in inbound.map(\.envelope) {
            switch envelope.payload {
            case .objectiveSubmitted, .objectiveCancelRequested, .planCreated, .planStatus, .planCompleted, .planFailed:
                if byObjective[envelope.correlationID] == nil { order.append(envelope.correlationID) }
                byObjective[envelope.correlationID, default: []].append(envelope)
            case .taskResult:
                results[envelope.correlationID, default: []].append(envelope)
            case .verdict(let verdict):
                verdicts[envelope.correlationID, default: []].append(verdict)
                log.append(TimedVerdict(timeUnixMicros: envelope.timeUnixMicros, correlationID: envelope.correlationID, verdict: verdict))
            default:
                break
            }
        }
        plans = order.map { OpsObjectiveStatus(correlationID: $0, envelopes: byObjective[$0] ?? []) }
        self.results = results
        self.verdicts = verdicts
        verdictLog = log.sorted { $0.timeUnixMicros < $1.timeUnixMicros }
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
