import MeshWire

/// A named, versioned DAG of tasks, loaded from one `Playbooks/*.yaml` file.
///
/// An `ObjectiveSubmitted` names a playbook; the orchestrator expands it into a plan whose
/// tasks are the playbook's tasks with their instructions rendered for that objective.
public struct Playbook: Sendable, Hashable, Codable {
    /// Name objectives refer to (`ObjectiveSubmitted.playbook`).
    public var name: String
    /// Operator-maintained version number; bump it when the flow changes.
    public var version: Int
    /// One-line description for operators.
    public var description: String
    /// Tasks in file order; the order is also the order tasks are released in.
    public var tasks: [PlaybookTask]
    /// Hex SHA-256 of the exact file bytes, reported in `PlanCreated.playbookHash`.
    public var hash: String
    /// How the source file was named when loaded (for messages).
    public var file: String

    /// Creates a playbook value. Use ``PlaybookLibrary`` to load and validate files.
    public init(name: String, version: Int = 1, description: String = "", tasks: [PlaybookTask],
                hash: String = "", file: String = "") {
        self.name = name
        self.version = version
        self.description = description
        self.tasks = tasks
        self.hash = hash
        self.file = file
    }
}

/// One node of a playbook DAG.
public struct PlaybookTask: Sendable, Hashable, Codable {
    /// Unique id within the playbook; becomes the task id of the plan.
    public var id: String
    /// Which agent role does the work.
    public var role: AgentRole
    /// Instruction template; `{{title}}`, `{{description}}`, `{{parameters.<key>}}` ... are
    /// substituted per objective (see ``InstructionTemplate``).
    public var instructions: String
    /// Tasks that must be completed (accepted) first.
    public var dependsOn: [String]
    /// Verdicts that must approve a result: `.review`, `.compliance`, `.human`.
    /// `.human` means a human approval is always required.
    public var requiredVerdicts: [VerdictKind]
    /// Attempt budget (first attempt included).
    public var maxAttempts: UInt32
    /// Risk class of the work.
    public var riskClass: RiskClass
    /// IEC 62304 safety class of the software item the task changes, if it has one.
    public var safetyClass: SafetyClass
    /// When a human approval is needed in addition to the machine verdicts.
    public var approval: ApprovalPolicy?
    /// How long one attempt may go without a decision (its result and verdicts) before it
    /// counts as failed and the next attempt is assigned (`assignment_timeout`).
    public var assignmentTimeoutMicros: Int64
    /// What a model-backed agent may spend on one attempt, over its definition's ceiling
    /// (`model_budget`); empty when the playbook sets none.
    public var modelBudget: TaskModelBudget

    /// Default `assignment_timeout`: long enough for a model-backed agent working through a
    /// large change and a busy reviewer, short enough that a lost attempt is noticed the
    /// same hour.
    public static let defaultAssignmentTimeoutMicros: Int64 = 15 * 60 * 1_000_000

    /// Creates a task value.
    public init(id: String, role: AgentRole, instructions: String, dependsOn: [String] = [],
                requiredVerdicts: [VerdictKind] = [.review, .compliance], maxAttempts: UInt32 = 3,
                riskClass: RiskClass = .medium, safetyClass: SafetyClass = .unspecified,
                approval: ApprovalPolicy? = nil, assignmentTimeoutMicros: Int64 = PlaybookTask.defaultAssignmentTimeoutMicros,
                modelBudget: TaskModelBudget = TaskModelBudget()) {
        self.id = id
        self.role = role
        self.instructions = instructions
        self.dependsOn = dependsOn
        self.requiredVerdicts = requiredVerdicts
        self.maxAttempts = maxAttempts
        self.riskClass = riskClass
        self.safetyClass = safetyClass
        self.approval = approval
        self.assignmentTimeoutMicros = assignmentTimeoutMicros
        self.modelBudget = modelBudget
    }
}

/// When a task's accepted result additionally needs a human e-signature.
///
/// Approval is required when the task's risk class is at least ``riskAtLeast``, or when any
/// finding of severity at least ``findingSeverityAtLeast`` was raised on the task (on any
/// attempt), or when the task lists the `human` verdict.
public struct ApprovalPolicy: Sendable, Hashable, Codable {
    /// Default time a human has to decide.
    public static let defaultDeadlineMicros: Int64 = 24 * 3_600 * 1_000_000

    /// Risk class from which approval is required; `nil` = risk alone never requires it.
    public var riskAtLeast: RiskClass?
    /// Finding severity from which approval is required; `nil` = findings never require it.
    public var findingSeverityAtLeast: Severity?
    /// How long after the request the approval expires (and the task is rejected).
    public var deadlineMicros: Int64

    /// Creates a policy.
    public init(riskAtLeast: RiskClass? = nil, findingSeverityAtLeast: Severity? = nil,
                deadlineMicros: Int64 = ApprovalPolicy.defaultDeadlineMicros) {
        self.riskAtLeast = riskAtLeast
        self.findingSeverityAtLeast = findingSeverityAtLeast
        self.deadlineMicros = deadlineMicros
    }
}
