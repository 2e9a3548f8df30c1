import MeshWire

/// How a plan ended.
public struct PlanOutcome: Sendable, Hashable, Codable {
    /// `.completed`, `.failed`, `.rejected` or `.canceled`.
    public var state: TaskState
    /// The task that failed the plan; empty on success and on cancel.
    public var taskID: String
    /// Summary (success) or reason (failure), as published.
    public var text: String
}
