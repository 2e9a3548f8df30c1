/// All plans an orchestrator instance owns, by correlation id.
///
/// A plain value: `Orchestrator.handle` takes one and returns the next. Plans never
/// interact, so the runtime may persist and restore them one at a time.
public struct OrchestratorState: Sendable, Hashable, Codable {
    /// Plans by correlation id.
    public private(set) var plans: [String: PlanState]
    /// Finished plans held, in the order they finished (with that time), for eviction.
    private var finished = TimedIDQueue()
    /// Correlation ids of evicted plans, newest last (bounded by ``PlanRetention/rememberedIDs``).
    private var evicted = TimedIDQueue()

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

    /// This state with `plan` inserted or replaced (restore of one snapshot). Retention does
    /// not start here: a runtime that evicts restores with ``update(_:at:)``.
    public func replacing(plan: PlanState) -> OrchestratorState {
        var copy = self
        copy.plans[plan.correlationID] = plan
        return copy
    }

    /// Inserts or replaces `plan` in place. A long-running orchestrator holds thousands of
    /// plans; unlike ``replacing(plan:)`` this never copies the others. A finished plan starts
    /// its retention (``evictFinished(nowMicros:retention:)``) at `timeMicros`, the time of the
    /// event that finished it or of its restore, unless it already started.
    public mutating func update(_ plan: PlanState, at timeMicros: Int64) {
        plans[plan.correlationID] = plan
        if plan.isFinished { finished.add(plan.correlationID, at: timeMicros) }
    }

    /// True if the plan of `correlationID` was evicted and is still remembered: an
    /// `ObjectiveSubmitted` for it must not start it again.
    public func hasEvicted(_ correlationID: String) -> Bool { evicted.contains(correlationID) }

    /// Number of finished plans held.
    public var finishedCount: Int { finished.count }

    /// Evicts the finished plans `retention` no longer keeps: those that finished at or before
    /// `nowMicros - maxAgeMicros`, and the oldest beyond `maxFinishedPlans`. Their ids are
    /// remembered (``hasEvicted(_:)``), the oldest forgotten beyond `rememberedIDs`. Returns
    /// the evicted correlation ids, oldest first.
    public mutating func evictFinished(nowMicros: Int64, retention: PlanRetention) -> [String] {
        let (cutoff, overflow) = nowMicros.subtractingReportingOverflow(retention.maxAgeMicros)
        let finishedBy = overflow ? Int64.min : cutoff
        var gone: [String] = []
        while let oldest = finished.oldest, finished.count > retention.maxFinishedPlans || oldest.timeMicros <= finishedBy {
            _ = finished.removeOldest()
            // A plan revoked with its partition (or not finished any more) is not evicted.
            guard plans[oldest.id]?.isFinished == true else { continue }
            plans[oldest.id] = nil
            gone.append(oldest.id)
            if retention.rememberedIDs > 0 { evicted.add(oldest.id, at: nowMicros) }
        }
        while evicted.count > retention.rememberedIDs { _ = evicted.removeOldest() }
        return gone
    }

    /// Removes the plan of `correlationID` in place and returns it: the caller then holds
    /// its only copy (changes to it do not copy its arrays) and puts it back with
    /// ``update(_:at:)``.
    public mutating func take(_ correlationID: String) -> PlanState? {
        plans.removeValue(forKey: correlationID)
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
