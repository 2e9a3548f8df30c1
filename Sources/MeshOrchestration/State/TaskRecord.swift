import MeshWire

/// The result recorded for a task's current attempt.
public struct RecordedResult: Sendable, Hashable, Codable {
    /// Envelope id of the `TaskResult`; verdicts must name it.
    public var envelopeID: String
    /// Attempt the result belongs to.
    public var attempt: UInt32
    /// Author instance (may not approve its own result).
    public var agentID: String
    /// The agent's summary of its work.
    public var summary: String
    /// Produced artifacts; accepted as a whole when the task completes.
    public var artifacts: [Artifact]
    /// SHA-256 of the exact result envelope bytes (see ``ResultDigest``).
    public var sha256: [UInt8]
}

/// One verdict received for a task.
public struct RecordedVerdict: Sendable, Hashable, Codable {
    /// Envelope id of the `Verdict`.
    public var envelopeID: String
    /// Attempt judged.
    public var attempt: UInt32
    /// Review or compliance.
    public var kind: VerdictKind
    /// Approve, request changes or reject.
    public var decision: Decision
    /// Findings raised; they count toward the approval policy on every later attempt.
    public var findings: [Finding]
    /// The `TaskResult` envelope judged; must be the recorded result to count.
    public var resultEnvelopeID: String
    /// Reviewer instance.
    public var reviewerID: String
    /// Rules that accept the result only with a human e-signature (`nil` in JSON snapshots
    /// of earlier builds).
    private var storedApprovalRequiredBy: [String]?
    /// Rules that accept the result only with a human e-signature.
    public var approvalRequiredBy: [String] {
        get { storedApprovalRequiredBy ?? [] }
        set { storedApprovalRequiredBy = newValue }
    }

    public init(envelopeID: String, attempt: UInt32, kind: VerdictKind, decision: Decision, findings: [Finding],
                resultEnvelopeID: String, reviewerID: String, approvalRequiredBy: [String] = []) {
        self.envelopeID = envelopeID
        self.attempt = attempt
        self.kind = kind
        self.decision = decision
        self.findings = findings
        self.resultEnvelopeID = resultEnvelopeID
        self.reviewerID = reviewerID
        storedApprovalRequiredBy = approvalRequiredBy
    }
}

/// Everything the orchestrator knows about one task of a plan.
public struct TaskRecord: Sendable, Hashable, Codable {
    /// What the task is (from the playbook, rendered).
    public var spec: TaskSpec
    /// A2A lifecycle state.
    public var state: TaskState
    /// Current attempt; 0 until first assigned.
    public var attempt: UInt32
    /// Result of the current attempt, once received.
    public var result: RecordedResult?
    /// Every verdict received, all attempts (the current attempt's decide).
    public var verdicts: [RecordedVerdict]
    /// Artifacts accepted when the task completed; inputs of dependent tasks.
    public var acceptedArtifacts: [Artifact]
    /// Last human-readable note on the task (shown in `PlanStatus`).
    public var detail: String
    /// Whether the current attempt's assignment carried the task's classification (`nil` in
    /// JSON snapshots of earlier builds).
    private var storedAssignmentClassified: Bool?
    /// Whether the current attempt's assignment carried the task's classification, so its
    /// result must carry it back. False for an attempt an earlier build assigned, whose result
    /// comes back unclassified through no fault of the agent.
    public var assignmentClassified: Bool {
        get { storedAssignmentClassified ?? false }
        set { storedAssignmentClassified = newValue }
    }

    /// Event time at which the current attempt was assigned; 0 for an attempt assigned by
    /// an earlier build, which records none (such an attempt never times out).
    private var storedAssignedAtUnixMicros: Int64?
    public var assignedAtUnixMicros: Int64 {
        get { storedAssignedAtUnixMicros ?? 0 }
        set { storedAssignedAtUnixMicros = newValue }
    }
    /// Envelope id of the current attempt's `TaskAssigned` (empty before the first one, and
    /// for an attempt assigned by an earlier build).
    private var storedAssignmentEnvelopeID: String?
    public var assignmentEnvelopeID: String {
        get { storedAssignmentEnvelopeID ?? "" }
        set { storedAssignmentEnvelopeID = newValue }
    }

    /// When the current attempt counts as failed for want of a decision; `nil` when it has no
    /// recorded assignment time.
    public var attemptDeadlineUnixMicros: Int64? {
        guard assignedAtUnixMicros > 0 else { return nil }
        return assignedAtUnixMicros &+ spec.assignmentTimeoutMicros
    }

    /// A task not yet assigned.
    public init(spec: TaskSpec) {
        self.spec = spec
        state = .submitted
        attempt = 0
        result = nil
        verdicts = []
        acceptedArtifacts = []
        detail = ""
        storedAssignmentClassified = false
        storedAssignedAtUnixMicros = 0
        storedAssignmentEnvelopeID = ""
    }

    /// Id of the task.
    public var id: String { spec.id }

    /// True once completed, failed, canceled or rejected.
    public var isTerminal: Bool { [.completed, .failed, .canceled, .rejected].contains(state) }

    /// Findings raised on this task by any verdict of any attempt, in arrival order.
    public var findings: [Finding] { verdicts.flatMap(\.findings) }

    /// Verdicts of the current attempt that judged the recorded result.
    public var currentVerdicts: [RecordedVerdict] {
        guard let result else { return [] }
        return verdicts.filter { $0.attempt == attempt && $0.resultEnvelopeID == result.envelopeID }
    }

    /// The wire status line.
    public var status: TaskStatus { TaskStatus(taskID: id, state: state, attempt: attempt, detail: detail) }
}
