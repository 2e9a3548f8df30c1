import MeshWire

/// A human approval requested for a task result, and what became of it.
public struct ApprovalRecord: Sendable, Hashable, Codable {
    /// Where the request stands.
    public enum Status: String, Sendable, Hashable, Codable {
        case pending, approved, rejected, expired
        /// Closed because the plan ended (failed or canceled) before a decision.
        case withdrawn
    }

    /// Id decisions refer to (derived from the result envelope id, task and attempt).
    public var approvalID: String
    /// Task whose result is to be approved.
    public var taskID: String
    /// Attempt of that result.
    public var attempt: UInt32
    /// The `TaskResult` envelope the approval binds to.
    public var resultEnvelopeID: String
    /// The decision must carry the same hash.
    public var resultSHA256: [UInt8]
    /// May not sign the decision.
    public var authorID: String
    /// Why a human is needed (risk class, finding, playbook).
    public var reason: String
    /// When the request expires (see `Orchestrator.expiredApprovals`).
    public var deadlineUnixMicros: Int64
    /// Envelope id of the `ApprovalRequested`; causation of an expiry decision.
    public var requestEnvelopeID: String
    /// Trace context of the request, carried into an expiry decision.
    public var traceparent: String
    /// Pending, or how it ended.
    public var status: Status
    /// Who decided (`system:deadline` for expiry), once decided.
    public var decidedBy: String
}
