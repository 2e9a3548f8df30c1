import MeshWire

/// A plan task as expanded from its playbook for one objective: instructions rendered,
/// policy copied. Plans keep their own copy, so a restored or replayed plan never depends
/// on the playbook files still being the same.
public struct TaskSpec: Sendable, Hashable, Codable {
    /// Task id (unique in the plan).
    public var id: String
    /// Agent role doing the work.
    public var role: AgentRole
    /// Rendered for the objective.
    public var instructions: String
    /// Tasks that must be completed first.
    public var dependsOn: [String]
    /// Required gates; `.human` means an approval is always requested.
    public var requiredVerdicts: [VerdictKind]
    /// Attempt budget.
    public var maxAttempts: UInt32
    /// Risk class.
    public var riskClass: RiskClass
    /// IEC 62304 safety class (`nil` in JSON snapshots of earlier builds, read as unspecified).
    private var storedSafetyClass: SafetyClass?
    /// IEC 62304 safety class, unspecified if the playbook gives none.
    public var safetyClass: SafetyClass {
        get { storedSafetyClass ?? .unspecified }
        set { storedSafetyClass = newValue }
    }
    /// Human-approval policy, if any.
    public var approval: ApprovalPolicy?
    /// `nil` in JSON snapshots of earlier builds, read as the default.
    private var storedAssignmentTimeoutMicros: Int64?
    /// How long one attempt may go undecided before it counts as failed.
    public var assignmentTimeoutMicros: Int64 {
        get { storedAssignmentTimeoutMicros ?? PlaybookTask.defaultAssignmentTimeoutMicros }
        set { storedAssignmentTimeoutMicros = newValue }
    }
    /// `nil` in JSON snapshots of earlier builds, read as none.
    private var storedModelBudget: TaskModelBudget?
    /// The task's own model budget; its assignments carry it to the agent.
    public var modelBudget: TaskModelBudget {
        get { storedModelBudget ?? TaskModelBudget() }
        set { storedModelBudget = newValue }
    }

    /// Expands `task` for `objective`.
    public init(_ task: PlaybookTask, for objective: ObjectiveSubmitted) {
        id = task.id
        role = task.role
        instructions = InstructionTemplate.render(task.instructions, for: objective)
        dependsOn = task.dependsOn
        requiredVerdicts = task.requiredVerdicts
        maxAttempts = task.maxAttempts
        riskClass = task.riskClass
        storedSafetyClass = task.safetyClass
        approval = task.approval
        storedAssignmentTimeoutMicros = task.assignmentTimeoutMicros
        storedModelBudget = task.modelBudget
    }

    /// The classification compliance scopes its rules by; assignments carry it and results
    /// must carry it back unchanged.
    public var classification: TaskClassification {
        TaskClassification(riskClass: riskClass, safetyClass: safetyClass)
    }

    /// The attributes of each `TaskAssigned`: the classification, then the model budget.
    public var assignmentAttributes: [Attribute] { classification.attributes + modelBudget.attributes }

    /// Machine gates (review, compliance) whose verdicts must all arrive before deciding.
    public var machineVerdicts: [VerdictKind] { requiredVerdicts.filter { $0 != .human } }

    /// The wire form listed in `PlanCreated`.
    public var planned: PlannedTask {
        PlannedTask(taskID: id, role: role.rawValue, instructions: instructions, dependsOn: dependsOn,
                    requiredVerdicts: requiredVerdicts, maxAttempts: maxAttempts, riskClass: riskClass,
                    safetyClass: safetyClass)
    }
}
