/// All plans an orchestrator instance owns, by correlation id.
///
/// A plain value: `Orchestrator.handle` takes one and returns the next. Plans never
/// interact, so the runtime may persist and restore them one at a time.
public struct OrchestratorState: Sendable, Hashable, Codable {
    /// Plans by correlation id.
    public private(set) var plans: [String: PlanState]

    /// No plans.
    public init() { plans = [:] }

    /// The given plans (e.g. restored from the changelog).
    public init(plans: [PlanState]) {
        self.plans = Dictionary(plans.map { ($0.correlationID, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// The plan of objective `correlationID`, if any.
    public func plan(_ correlationID: String) -> PlanState? { plans[correlationID] }

    /// Correlation ids in sorted order (deterministic iteration).
    public var correlationIDs: [String] { plans.keys.sorted() }

    /// This state with `plan` inserted or replaced (restore of one snapshot).
    public func replacing(plan: PlanState) -> OrchestratorState {
        var copy = self
        copy.plans[plan.correlationID] = plan
        return copy
    }

    /// Inserts or replaces `plan` in place. A long-running orchestrator holds thousands of
    /// plans; unlike ``replacing(plan:)`` this never copies the others.
    public mutating func update(_ plan: PlanState) {
        plans[plan.correlationID] = plan
    }

    /// Removes the plan of `correlationID` in place.
    public mutating func remove(correlationID: String) {
        plans[correlationID] = nil
    }

    /// This state without the plan of `correlationID` (a changelog tombstone, or a
    /// partition handed to another instance).
    public func removing(correlationID: String) -> OrchestratorState {
        var copy = self
        copy.plans[correlationID] = nil
        return copy
    }
}
