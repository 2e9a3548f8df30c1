import MeshWire

// TaskResult: record the current attempt's result, or treat a failed run as a used attempt.
extension PlanStep {
    /// Finding that carries a failed run's error back to the agent as rework feedback.
    static let attemptFailedRule = "orchestrator.attempt-failed"
    /// Finding for a result that does not carry its assignment's classification.
    static let classificationRule = "orchestrator.classification-mismatch"

    mutating func receive(_ result: TaskResult) {
        guard let index = locate(planID: result.planID, taskID: result.taskID, what: "result") else { return }
        let task = plan.tasks[index]
        guard result.attempt == task.attempt, task.state == .working else {
            note("stale result for \(task.id) attempt \(result.attempt) ignored "
                 + "(current attempt \(task.attempt), \(task.state.protoName))")
            return
        }
        // An attempt that timed out fails even while its result is judged: the verdicts it
        // waits for are as lost as a result would be.
        let timedOut = Orchestrator.isAssignmentTimeout(result, event)
        guard task.result == nil || timedOut else {
            note("second result for \(task.id) attempt \(result.attempt) ignored; the first one is being judged")
            return
        }
        let carried = TaskClassification(attributes: event.attributes)
        if result.state == .completed, task.assignmentClassified, carried != task.spec.classification {
            // Compliance scopes its rules by the classification the result carries: one that
            // differs from the plan's could slip out of a rule's scope, so it is not judged.
            let feedback = Finding(
                ruleID: Self.classificationRule, severity: .high,
                message: "result of attempt \(result.attempt) carries \(carried), the plan assigned \(task.spec.classification)")
            reworkOrEscalate(index, feedback: [feedback], why: "came back with a different classification (\(carried))")
            return
        }
        if result.state == .failed {
            let error = result.error.isEmpty ? "no error text" : result.error
            let feedback = Finding(ruleID: Self.attemptFailedRule, severity: .high,
                                   message: "attempt \(result.attempt) failed: \(error)")
            reworkOrEscalate(index, feedback: [feedback], why: "failed (\(error))")
            return
        }
        plan.tasks[index].result = RecordedResult(
            envelopeID: event.id, attempt: result.attempt, agentID: result.agentID, summary: result.summary,
            artifacts: result.artifacts, sha256: ResultDigest.digest(of: event))
        progress("\(task.id): result of attempt \(result.attempt) received from \(result.agentID)")
        evaluate(index)
    }

    /// The index of the task an event refers to, or `nil` after noting why it is ignored.
    mutating func locate(planID: String, taskID: String, what: String) -> Int? {
        guard planID == plan.planID else {
            note("\(what) for plan \(planID) ignored: this objective's plan is \(plan.planID)")
            return nil
        }
        guard let index = plan.taskIndex(taskID) else {
            note("\(what) for unknown task \(taskID) ignored")
            return nil
        }
        return index
    }
}
