// The envelope type names the mesh knows by default.

/// Envelope (CloudEvents) type names used by the mesh. The wire module may supply its own
/// set to ``CatalogLoader``; this is the default.
public enum MeshEnvelopeTypes {
    /// Every envelope type name of version 1 of the wire contract.
    public static let standard: Set<String> = [
        "agentmesh.objective.submitted.v1",
        "agentmesh.objective.cancel_requested.v1",
        "agentmesh.plan.created.v1",
        "agentmesh.plan.status.v1",
        "agentmesh.plan.completed.v1",
        "agentmesh.plan.failed.v1",
        "agentmesh.task.assigned.v1",
        "agentmesh.task.result.v1",
        "agentmesh.verdict.v1",
        "agentmesh.approval.requested.v1",
        "agentmesh.approval.decision.v1",
        "agentmesh.agent.heartbeat.v1",
        "agentmesh.replay.requested.v1",
        "agentmesh.orchestrator.snapshot.v1",
    ]

    /// Record types that are not protobuf envelopes: an audit checkpoint is one JSON line
    /// signed by the audit sink's Ed25519 key (`AuditCheckpoint.anchorLine` in MeshAudit).
    public static let records: Set<String> = ["agentmesh.audit.checkpoint.v1"]

    /// Every type name a catalog topic may declare.
    public static let declarable = standard.union(records)
}
