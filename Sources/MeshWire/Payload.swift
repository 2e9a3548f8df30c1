/// The typed body of an `Envelope`: exactly one lifecycle payload, mirroring the proto
/// `oneof payload`. Making it non-optional in `Envelope` means "no payload" can only exist
/// on the wire, where decoding rejects it.
public enum Payload: Sendable, Hashable, Codable {
    case objectiveSubmitted(ObjectiveSubmitted)
    case objectiveCancelRequested(ObjectiveCancelRequested)
    case planCreated(PlanCreated)
    case planStatus(PlanStatus)
    case planCompleted(PlanCompleted)
    case planFailed(PlanFailed)
    case taskAssigned(TaskAssigned)
    case taskResult(TaskResult)
    case verdict(Verdict)
    case approvalRequested(ApprovalRequested)
    case approvalDecision(ApprovalDecision)
    case agentHeartbeat(AgentHeartbeat)
    case replayRequested(ReplayRequested)
    case orchestratorSnapshot(OrchestratorSnapshot)

    /// The kind, from which the CloudEvents `type` is derived.
    public var kind: PayloadKind {
        switch self {
        case .objectiveSubmitted: .objectiveSubmitted
        case .objectiveCancelRequested: .objectiveCancelRequested
        case .planCreated: .planCreated
        case .planStatus: .planStatus
        case .planCompleted: .planCompleted
        case .planFailed: .planFailed
        case .taskAssigned: .taskAssigned
        case .taskResult: .taskResult
        case .verdict: .verdict
        case .approvalRequested: .approvalRequested
        case .approvalDecision: .approvalDecision
        case .agentHeartbeat: .agentHeartbeat
        case .replayRequested: .replayRequested
        case .orchestratorSnapshot: .orchestratorSnapshot
        }
    }
}

/// Payload kinds; the raw value is the CloudEvents `type` fixed by the wire contract and
/// referenced by the topic catalog, so changing one is a breaking wire change.
public enum PayloadKind: String, Sendable, Hashable, Codable, CaseIterable {
    case objectiveSubmitted = "agentmesh.objective.submitted.v1"
    case objectiveCancelRequested = "agentmesh.objective.cancel_requested.v1"
    case planCreated = "agentmesh.plan.created.v1"
    case planStatus = "agentmesh.plan.status.v1"
    case planCompleted = "agentmesh.plan.completed.v1"
    case planFailed = "agentmesh.plan.failed.v1"
    case taskAssigned = "agentmesh.task.assigned.v1"
    case taskResult = "agentmesh.task.result.v1"
    case verdict = "agentmesh.verdict.v1"
    case approvalRequested = "agentmesh.approval.requested.v1"
    case approvalDecision = "agentmesh.approval.decision.v1"
    case agentHeartbeat = "agentmesh.agent.heartbeat.v1"
    case replayRequested = "agentmesh.replay.requested.v1"
    case orchestratorSnapshot = "agentmesh.orchestrator.snapshot.v1"

    /// Field number of the oneof member in `Envelope`; lets the decoder check `type`
    /// before converting the payload.
    public var fieldNumber: UInt32 {
        switch self {
        case .objectiveSubmitted: 20
        case .objectiveCancelRequested: 21
        case .planCreated: 22
        case .planStatus: 23
        case .planCompleted: 24
        case .planFailed: 25
        case .taskAssigned: 26
        case .taskResult: 27
        case .verdict: 28
        case .approvalRequested: 29
        case .approvalDecision: 30
        case .agentHeartbeat: 31
        case .replayRequested: 32
        case .orchestratorSnapshot: 33
        }
    }

    /// Inverse of `fieldNumber`; `nil` for numbers this build does not know.
    public init?(fieldNumber: UInt32) {
        guard let kind = PayloadKind.allCases.first(where: { $0.fieldNumber == fieldNumber }) else {
            return nil
        }
        self = kind
    }
}
