// The twelve lifecycle payloads. Field meaning is documented in Proto/agentmesh.proto; the
// comments here only add what the Swift shape changes. Identifiers use the `ID` suffix.

/// A new objective entering the mesh; `objectiveID` equals the envelope's correlation id.
public struct ObjectiveSubmitted: Sendable, Hashable, Codable {
    public var objectiveID: String
    public var title: String
    public var description: String
    public var playbook: String
    public var submittedBy: String
    public var parameters: [Attribute]
    public var inputs: [Artifact]

    public init(objectiveID: String, title: String, description: String = "", playbook: String,
                submittedBy: String, parameters: [Attribute] = [], inputs: [Artifact] = []) {
        self.objectiveID = objectiveID
        self.title = title
        self.description = description
        self.playbook = playbook
        self.submittedBy = submittedBy
        self.parameters = parameters
        self.inputs = inputs
    }
}

/// A request to stop an objective; the orchestrator decides what is still cancellable.
public struct ObjectiveCancelRequested: Sendable, Hashable, Codable {
    public var objectiveID: String
    public var requestedBy: String
    public var reason: String

    public init(objectiveID: String, requestedBy: String, reason: String = "") {
        self.objectiveID = objectiveID
        self.requestedBy = requestedBy
        self.reason = reason
    }
}

/// The expanded plan DAG for an objective.
public struct PlanCreated: Sendable, Hashable, Codable {
    public var planID: String
    public var objectiveID: String
    public var playbook: String
    /// Hex SHA-256 of the playbook file, so auditors can tie the plan to its source.
    public var playbookHash: String
    public var tasks: [PlannedTask]

    public init(planID: String, objectiveID: String, playbook: String, playbookHash: String = "",
                tasks: [PlannedTask] = []) {
        self.planID = planID
        self.objectiveID = objectiveID
        self.playbook = playbook
        self.playbookHash = playbookHash
        self.tasks = tasks
    }
}

/// Progress snapshot of a plan.
public struct PlanStatus: Sendable, Hashable, Codable {
    public var planID: String
    public var tasks: [TaskStatus]
    public var detail: String

    public init(planID: String, tasks: [TaskStatus] = [], detail: String = "") {
        self.planID = planID
        self.tasks = tasks
        self.detail = detail
    }
}

/// Terminal success of a plan.
public struct PlanCompleted: Sendable, Hashable, Codable {
    public var planID: String
    public var summary: String
    public var artifacts: [Artifact]

    public init(planID: String, summary: String = "", artifacts: [Artifact] = []) {
        self.planID = planID
        self.summary = summary
        self.artifacts = artifacts
    }
}

/// Terminal failure of a plan.
public struct PlanFailed: Sendable, Hashable, Codable {
    public var planID: String
    public var failedTaskID: String
    public var reason: String
    /// `.failed`, `.canceled` or `.rejected`.
    public var finalState: TaskState

    public init(planID: String, failedTaskID: String, reason: String, finalState: TaskState = .failed) {
        self.planID = planID
        self.failedTaskID = failedTaskID
        self.reason = reason
        self.finalState = finalState
    }
}

/// Work handed to one role instance.
public struct TaskAssigned: Sendable, Hashable, Codable {
    public var taskID: String
    public var planID: String
    public var role: String
    public var instructions: String
    public var attempt: UInt32
    public var inputs: [Artifact]
    /// Findings of the previous attempt when this is rework.
    public var feedback: [Finding]
    /// 0 means no deadline.
    public var deadlineUnixMicros: Int64

    public init(taskID: String, planID: String, role: String, instructions: String = "",
                attempt: UInt32 = 1, inputs: [Artifact] = [], feedback: [Finding] = [],
                deadlineUnixMicros: Int64 = 0) {
        self.taskID = taskID
        self.planID = planID
        self.role = role
        self.instructions = instructions
        self.attempt = attempt
        self.inputs = inputs
        self.feedback = feedback
        self.deadlineUnixMicros = deadlineUnixMicros
    }
}

/// Output of one task attempt.
public struct TaskResult: Sendable, Hashable, Codable {
    public var taskID: String
    public var planID: String
    public var attempt: UInt32
    /// `.completed` or `.failed`.
    public var state: TaskState
    public var summary: String
    public var artifacts: [Artifact]
    public var error: String
    /// The author instance; approval rules forbid it from approving its own result.
    public var agentID: String

    public init(taskID: String, planID: String, attempt: UInt32 = 1, state: TaskState,
                summary: String = "", artifacts: [Artifact] = [], error: String = "",
                agentID: String) {
        self.taskID = taskID
        self.planID = planID
        self.attempt = attempt
        self.state = state
        self.summary = summary
        self.artifacts = artifacts
        self.error = error
        self.agentID = agentID
    }
}

/// Judgement of a task result by a reviewer, a compliance gate or a human.
public struct Verdict: Sendable, Hashable, Codable {
    public var taskID: String
    public var planID: String
    public var attempt: UInt32
    public var kind: VerdictKind
    public var decision: Decision
    public var findings: [Finding]
    /// Envelope id of the `TaskResult` judged.
    public var resultEnvelopeID: String
    public var policyBundleHash: String
    public var decidedByRules: [String]
    public var reviewerID: String
    /// Rules that accept the result only with a human e-signature: the orchestrator asks for
    /// an approval before accepting it.
    public var approvalRequiredBy: [String]

    public init(taskID: String, planID: String, attempt: UInt32 = 1, kind: VerdictKind,
                decision: Decision, findings: [Finding] = [], resultEnvelopeID: String,
                policyBundleHash: String = "", decidedByRules: [String] = [], reviewerID: String,
                approvalRequiredBy: [String] = []) {
        self.taskID = taskID
        self.planID = planID
        self.attempt = attempt
        self.kind = kind
        self.decision = decision
        self.findings = findings
        self.resultEnvelopeID = resultEnvelopeID
        self.policyBundleHash = policyBundleHash
        self.decidedByRules = decidedByRules
        self.reviewerID = reviewerID
        self.approvalRequiredBy = approvalRequiredBy
    }
}

/// A request for a human e-signature on a specific result.
public struct ApprovalRequested: Sendable, Hashable, Codable {
    public var approvalID: String
    public var taskID: String
    public var planID: String
    public var attempt: UInt32
    public var resultEnvelopeID: String
    /// Hash of the exact result bytes the approval binds to.
    public var resultSHA256: [UInt8]
    public var reason: String
    public var deadlineUnixMicros: Int64
    /// Author of the result, who may not approve it.
    public var authorID: String

    public init(approvalID: String, taskID: String, planID: String, attempt: UInt32 = 1,
                resultEnvelopeID: String, resultSHA256: [UInt8], reason: String = "",
                deadlineUnixMicros: Int64 = 0, authorID: String) {
        self.approvalID = approvalID
        self.taskID = taskID
        self.planID = planID
        self.attempt = attempt
        self.resultEnvelopeID = resultEnvelopeID
        self.resultSHA256 = resultSHA256
        self.reason = reason
        self.deadlineUnixMicros = deadlineUnixMicros
        self.authorID = authorID
    }
}

/// A human's signed decision (21 CFR Part 11 e-signature record).
public struct ApprovalDecision: Sendable, Hashable, Codable {
    public var approvalID: String
    public var decision: Decision
    public var signerID: String
    public var printedName: String
    /// Meaning of the signature, e.g. "approved" (21 CFR 11.50).
    public var meaning: String
    public var signedAtUnixMicros: Int64
    public var reason: String
    /// Must equal `ApprovalRequested.resultSHA256`.
    public var resultSHA256: [UInt8]
    /// Optional because the proto field is a message: `nil` means absent on the wire, which
    /// a verifier must treat as unsigned rather than as an empty signature.
    public var signature: Signature?

    public init(approvalID: String, decision: Decision, signerID: String, printedName: String,
                meaning: String, signedAtUnixMicros: Int64, reason: String = "",
                resultSHA256: [UInt8], signature: Signature? = nil) {
        self.approvalID = approvalID
        self.decision = decision
        self.signerID = signerID
        self.printedName = printedName
        self.meaning = meaning
        self.signedAtUnixMicros = signedAtUnixMicros
        self.reason = reason
        self.resultSHA256 = resultSHA256
        self.signature = signature
    }
}

/// The card of one running instance: identity, capabilities, load and liveness (see the
/// proto for field meanings).
public struct AgentHeartbeat: Sendable, Hashable, Codable {
    public var agentID: String
    public var role: String
    public var version: String
    public var inFlight: UInt32
    public var processed: UInt64
    public var startedUnixMicros: Int64
    public var handler: String
    public var model: String
    public var capabilities: [String]
    public var lastError: String
    public var lastErrorUnixMicros: Int64
    public var intervalMillis: UInt32
    public var stopping: Bool

    public init(agentID: String, role: String, version: String = "", inFlight: UInt32 = 0,
                processed: UInt64 = 0, startedUnixMicros: Int64 = 0, handler: String = "", model: String = "",
                capabilities: [String] = [], lastError: String = "", lastErrorUnixMicros: Int64 = 0,
                intervalMillis: UInt32 = 0, stopping: Bool = false) {
        self.agentID = agentID
        self.role = role
        self.version = version
        self.inFlight = inFlight
        self.processed = processed
        self.startedUnixMicros = startedUnixMicros
        self.handler = handler
        self.model = model
        self.capabilities = capabilities
        self.lastError = lastError
        self.lastErrorUnixMicros = lastErrorUnixMicros
        self.intervalMillis = intervalMillis
        self.stopping = stopping
    }
}

/// An operator replayed a recorded objective (see the proto for field meanings).
public struct ReplayRequested: Sendable, Hashable, Codable {
    public var replayID: String
    public var objectiveID: String
    public var requestedBy: String
    public var mode: String
    public var targetTopic: String
    public var firstSequence: UInt64
    public var lastSequence: UInt64
    public var envelopeCount: UInt32
    public var reason: String

    public init(replayID: String, objectiveID: String, requestedBy: String, mode: String, targetTopic: String = "",
                firstSequence: UInt64 = 0, lastSequence: UInt64 = 0, envelopeCount: UInt32 = 0, reason: String = "") {
        self.replayID = replayID
        self.objectiveID = objectiveID
        self.requestedBy = requestedBy
        self.mode = mode
        self.targetTopic = targetTopic
        self.firstSequence = firstSequence
        self.lastSequence = lastSequence
        self.envelopeCount = envelopeCount
        self.reason = reason
    }
}

/// One plan's orchestrator state after an event, for the compacted changelog.
public struct OrchestratorSnapshot: Sendable, Hashable, Codable {
    public var formatVersion: UInt32
    public var state: [UInt8]
    public var lastEventID: String

    public init(formatVersion: UInt32 = 1, state: [UInt8], lastEventID: String) {
        self.formatVersion = formatVersion
        self.state = state
        self.lastEventID = lastEventID
    }
}
