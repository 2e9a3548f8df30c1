import MeshWire

extension Orchestrator {
    /// What `event` waits for before it can be applied to `plan`, or `nil` when it can be
    /// applied now (or is stale, or not about this plan: the core notes and ignores those).
    ///
    /// Kafka keeps the order of one partition, not the order of the orchestrator's topics.
    /// After a crash an event can come back before the event that caused it: a verdict before
    /// the result it judged, a result before its attempt's assignment was derived again, a
    /// person's decision before the approval request. Applied then, it would be ignored as
    /// unknown and recorded as processed, and the plan would wait for it forever. The runtime
    /// holds such an event until another event of the plan was handled, and offers it again.
    /// Holding also keeps the order of application the causal one, so a re-handled event
    /// derives the same outputs.
    public static func missingCause(of event: Envelope, in plan: PlanState) -> String? {
        guard !plan.isFinished, !plan.hasProcessed(event.id) else { return nil }
        switch event.payload {
        case .taskResult(let result):
            guard result.planID == plan.planID, let task = plan.task(result.taskID) else { return nil }
            if result.attempt > task.attempt {
                return "attempt \(result.attempt) of task \(task.id) is not assigned yet (current attempt \(task.attempt))"
            }
            return nil
        case .verdict(let verdict):
            guard verdict.planID == plan.planID, let task = plan.task(verdict.taskID) else { return nil }
            if verdict.attempt > task.attempt {
                return "attempt \(verdict.attempt) of task \(task.id) is not assigned yet (current attempt \(task.attempt))"
            }
            if verdict.attempt == task.attempt, task.state == .working, task.result == nil {
                return "the result \(verdict.resultEnvelopeID) it judged is not recorded yet"
            }
            return nil
        case .approvalDecision(let decision):
            guard !plan.approvals.contains(where: { $0.approvalID == decision.approvalID }) else { return nil }
            return "approval \(decision.approvalID) is not requested yet"
        default:
            return nil
        }
    }
}
