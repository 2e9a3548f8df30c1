import MeshWire

/// The orchestrator's whole knowledge of one objective's plan.
///
/// This is the unit the runtime persists: after handling an event it writes
/// ``PlanSnapshot/encode(_:)`` of the event's plan to the compacted changelog topic, keyed
/// by ``correlationID``, and on restart restores it with ``OrchestratorState/replacing(plan:)``.
public struct PlanState: Sendable, Hashable, Codable {
    /// The objective id; Kafka key of every record of the plan.
    public var correlationID: String
    /// Plan id published in `PlanCreated` and carried by every task.
    public var planID: String
    /// The objective as submitted.
    public var objective: ObjectiveSubmitted
    /// Playbook name as requested by the objective.
    public var playbookName: String
    /// Playbook version, 0 when the playbook was unknown.
    public var playbookVersion: Int
    /// Hex SHA-256 of the playbook file; empty when the playbook was unknown.
    public var playbookHash: String
    /// Tasks in playbook order.
    public var tasks: [TaskRecord]
    /// Every approval requested (pending and decided).
    public var approvals: [ApprovalRecord]
    /// Ids of every envelope applied to this plan, in order; a repeat is a duplicate.
    public var processedEventIDs: [String]
    /// Set when the plan completed, failed or was canceled; later events are ignored.
    public var outcome: PlanOutcome?

    /// Index of task `id`.
    public func taskIndex(_ id: String) -> Int? { tasks.firstIndex { $0.id == id } }

    /// The task `id`, if the plan has it.
    public func task(_ id: String) -> TaskRecord? { taskIndex(id).map { tasks[$0] } }

    /// Approvals still waiting for a decision.
    public var pendingApprovals: [ApprovalRecord] { approvals.filter { $0.status == .pending } }

    /// True once the plan ended.
    public var isFinished: Bool { outcome != nil }

    /// True if the envelope `id` was already applied.
    public func hasProcessed(_ id: String) -> Bool { processedEventIDs.contains(id) }

    /// Every task's status, for `PlanStatus`.
    public var statuses: [TaskStatus] { tasks.map(\.status) }
}
