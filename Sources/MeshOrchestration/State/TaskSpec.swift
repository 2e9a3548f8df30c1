import MeshWire

/// A plan task as expanded from its playbook for one objective: instructions rendered,
/// policy copied. Plans keep their own copy, so a restored or replayed plan never depends
/// on the playbook files still being the same.
public struct TaskSpec: Sendable, Hashable, Codable {
    public var id: String
    public var role: AgentRole
    /// Rendered for the objective.
    public var instructions: String
    public var dependsOn: [String]
    public var requiredVerdicts: [VerdictKind]
    public var maxAttempts: UInt32
    public var riskClass: RiskClass
    public var approval: ApprovalPolicy?

    /// Expands `task` for `objective`.
    public init(_ task: PlaybookTask, for objective: ObjectiveSubmitted) {
        id = task.id
        role = task.role
        instructions = InstructionTemplate.render(task.instructions, for: objective)
        dependsOn = task.dependsOn
        requiredVerdicts = task.requiredVerdicts
        maxAttempts = task.maxAttempts
        riskClass = task.riskClass
        approval = task.approval
    }

    /// Machine gates (review, compliance) whose verdicts must all arrive before deciding.
    public var machineVerdicts: [VerdictKind] { requiredVerdicts.filter { $0 != .human } }

    /// The wire form listed in `PlanCreated`.
    public var planned: PlannedTask {
        PlannedTask(taskID: id, role: role.rawValue, instructions: instructions, dependsOn: dependsOn,
                    requiredVerdicts: requiredVerdicts, maxAttempts: maxAttempts, riskClass: riskClass)
    }
}
