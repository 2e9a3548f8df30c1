import MeshWire

/// A human approval requested for a task result, and what became of it.
public struct ApprovalRecord: Sendable, Hashable, Codable {
    /// Where the request stands.
    public enum Status: String, Sendable, Hashable, Codable {
        case pending, approved, rejected, expired
        /// Closed because the plan ended (failed or canceled) before a decision.
        case withdrawn
    }

    public var approvalID: String
    public var taskID: String
    public var attempt: UInt32
    public var resultEnvelopeID: String
    /// The decision must carry the same hash.
    public var resultSHA256: [UInt8]
    /// May not sign the decision.
    public var authorID: String
    public var reason: String
    public var deadlineUnixMicros: Int64
    /// Envelope id of the `ApprovalRequested`; causation of an expiry decision.
    public var requestEnvelopeID: String
    public var traceparent: String
    public var status: Status
    /// Who decided (`system:deadline` for expiry), once decided.
    public var decidedBy: String
}
