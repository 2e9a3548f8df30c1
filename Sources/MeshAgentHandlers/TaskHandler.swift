import MeshWire

/// What a specialist agent runs for each `TaskAssigned`: the "brain" of a role.
///
/// Implementations never throw and never crash the caller: every problem (a handler that
/// exits non-zero, hangs, prints garbage) becomes a failed `HandlerOutcome` with a useful
/// error. The worker around it turns the outcome into a `TaskResult` with
/// `HandlerOutcome.taskResult(for:agentID:)` and publishes it.
public protocol TaskHandler: Sendable {
    /// Runs one task attempt.
    func handle(_ task: TaskAssigned, context: HandlerContext) async -> HandlerOutcome
}

/// Envelope-level facts about a task that are not part of `TaskAssigned`.
public struct HandlerContext: Sendable, Hashable {
    /// The objective id (Kafka key of every mesh topic).
    public var correlationID: String
    /// This agent instance, recorded as the author of the result.
    public var agentID: String
    /// The task's risk and safety class, from its assignment.
    public var classification: TaskClassification
    /// The playbook task's model budget, from its assignment (model-backed handlers apply it).
    public var modelBudget: TaskModelBudget

    public init(correlationID: String, agentID: String,
                classification: TaskClassification = TaskClassification(riskClass: .unspecified),
                modelBudget: TaskModelBudget = TaskModelBudget()) {
        self.correlationID = correlationID
        self.agentID = agentID
        self.classification = classification
        self.modelBudget = modelBudget
    }
}
