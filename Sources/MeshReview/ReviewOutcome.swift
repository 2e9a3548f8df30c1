import MeshWire

/// The reviewer's judgement of one result.
public struct ReviewOutcome: Sendable, Hashable {
    /// `.approve`, `.requestChanges` or `.reject`.
    public var decision: Decision
    /// All findings, in rule order, then by location (deterministic).
    public var findings: [Finding]
    /// For a rejection or change request, the ids of the rules that produced that decision;
    /// for an approval, every rule that was evaluated (and passed).
    public var decidedBy: [String]
    /// Hash of the rules that decided (`ReviewRules.rulesHash`).
    public var rulesHash: String
    public var rulesVersion: String
    /// `rule-id=model@endpoint` of every model that reviewed the result (model_review rules).
    public var models: [String]

    public init(decision: Decision, findings: [Finding], decidedBy: [String], rulesHash: String, rulesVersion: String,
                models: [String] = []) {
        self.models = models
        self.decision = decision
        self.findings = findings
        self.decidedBy = decidedBy
        self.rulesHash = rulesHash
        self.rulesVersion = rulesVersion
    }

    /// The `Verdict` payload for this outcome.
    public func verdict(for result: TaskResult, resultEnvelopeID: String, reviewerID: String) -> Verdict {
        Verdict(taskID: result.taskID, planID: result.planID, attempt: result.attempt, kind: .review,
                decision: decision, findings: findings, resultEnvelopeID: resultEnvelopeID,
                policyBundleHash: rulesHash, decidedByRules: decidedBy, reviewerID: reviewerID)
    }
}
