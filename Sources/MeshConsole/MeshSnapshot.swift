import MeshOps
import MeshCatalog
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
    /// Plans in the order they first appeared.
    public private(set) var plans: [OpsObjectiveStatus] = []
    /// One line per plan, aligned with `plans`, kept up to date as envelopes arrive.
    public private(set) var planSummaries: [PlanSummary] = []
    public private(set) var results: [String: [Envelope]] = [:]
    public private(set) var verdicts: [String: [Verdict]] = [:]
    public private(set) var approvals = OpsApprovalBook([])
    /// Every verdict with its envelope time, in arrival order (the compliance page's history).
    public private(set) var verdictLog: [TimedVerdict] = []
    private var position: [String: Int] = [:]
    private var byObjective: [String: [Envelope]] = [:]

    public struct TimedVerdict: Sendable {
        public var timeUnixMicros: Int64
        public var correlationID: String
        public var verdict: Verdict
    }

    public static let topics = [MeshTopics.objectives, MeshTopics.plans, MeshTopics.results, MeshTopics.verdicts, MeshTopics.approvals]

    public init(_ inbound: [InboundEnvelope] = []) { apply(inbound) }

    /// Folds newly read envelopes in. Only the plans they touch are folded again, so a
    /// status event costs the same with ten plans in the mesh as with ten thousand.
    /// Returns the summaries of the plans that changed.
    @discardableResult
    public mutating func apply(_ inbound: [InboundEnvelope]) -> [PlanSummary] {
        guard !inbound.isEmpty else { return [] }
        approvals.add(inbound)
        var touched: Set<String> = []
        for envelope in inbound.map(\.envelope) {
            switch envelope.payload {
            case .objectiveSubmitted, .objectiveCancelRequested, .planCreated, .planStatus, .planCompleted, .planFailed:
                if byObjective[envelope.correlationID] == nil {
                    position[envelope.correlationID] = plans.count
                    plans.append(OpsObjectiveStatus(correlationID: envelope.correlationID, envelopes: []))
                    planSummaries.append(PlanSummary(id: envelope.correlationID, title: "", playbook: "", state: "", tasks: [], waitingOnApproval: []))
                }
                byObjective[envelope.correlationID, default: []].append(envelope)
                touched.insert(envelope.correlationID)
            case .taskResult:
                results[envelope.correlationID, default: []].append(envelope)
            case .verdict(let verdict):
                verdicts[envelope.correlationID, default: []].append(verdict)
                verdictLog.append(TimedVerdict(timeUnixMicros: envelope.timeUnixMicros, correlationID: envelope.correlationID, verdict: verdict))
            case .approvalRequested, .approvalDecision:
                touched.insert(envelope.correlationID)
            default:
                break
            }
        }
        var changed: [PlanSummary] = []
        for id in touched {
            guard let index = position[id] else { continue }
            plans[index] = OpsObjectiveStatus(correlationID: id, envelopes: byObjective[id] ?? [])
            let summary = Self.summary(plans[index], waiting: approvals.pending(in: id))
            if summary != planSummaries[index] {
                planSummaries[index] = summary
                changed.append(summary)
            }
        }
        return changed
    }

    public func plan(_ correlationID: String) -> OpsObjectiveStatus? { position[correlationID].map { plans[$0] } }

    public func summary(_ correlationID: String) -> PlanSummary? { position[correlationID].map { planSummaries[$0] } }

    static func summary(_ plan: OpsObjectiveStatus, waiting: [String]) -> PlanSummary {
        PlanSummary(id: plan.correlationID, title: plan.objective?.title ?? "", playbook: plan.objective?.playbook ?? "",
                    state: plan.state,
                    tasks: plan.rows.map { PlanSummary.Task(task: $0.task, role: $0.role, state: $0.state, attempt: Int($0.attempt)) },
                    waitingOnApproval: waiting)
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
