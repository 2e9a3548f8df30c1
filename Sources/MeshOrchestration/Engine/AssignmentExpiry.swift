import MeshLogging
import MeshSigning
import MeshWire

extension Orchestrator {
    /// Author of the failed results that end attempts whose assignment timed out.
    public static let assignmentTimeoutAgent = "system:assignment-timeout"

    /// A failed `TaskResult` for every working attempt that got no decision (its result and
    /// verdicts) within its task's assignment timeout, so nothing waits forever for an
    /// assignment, result or verdict that was lost.
    ///
    /// The runtime calls this on a timer and publishes the results to `mesh.results`; they
    /// come back as ordinary inputs, so the state only changes through logged events and a
    /// replay reproduces the outcome. The orchestrator then treats the attempt as failed:
    /// the next attempt is assigned while the budget lasts, otherwise the task fails.
    ///
    /// Deterministic, like ``expiredApprovals(_:nowMicros:)``: each result's time is the
    /// deadline and its id is derived from the assignment, so calling this again before the
    /// result is consumed yields the identical envelope (consumers drop it as a duplicate).
    public static func expiredAssignments(_ state: OrchestratorState, nowMicros: Int64) -> [Output] {
        var outputs: [Output] = []
        for plan in state.plans.values where !plan.isFinished {
            for task in plan.tasks where isOverdue(task, in: plan, nowMicros: nowMicros) {
                guard let deadline = task.attemptDeadlineUnixMicros else { continue }
                let result = TaskResult(
                    taskID: task.id, planID: plan.planID, attempt: task.attempt, state: .failed,
                    error: "no decision within the assignment timeout of "
                        + PlaybookDuration.text(micros: task.spec.assignmentTimeoutMicros) + " (assigned "
                        + RFC3339.format(unixMicros: task.assignedAtUnixMicros, fractionDigits: 0) + ")",
                    agentID: assignmentTimeoutAgent)
                let envelope = Envelope(
                    id: DerivedID.make(causeID: task.assignmentEnvelopeID, role: role,
                                       output: PayloadKind.taskResult.rawValue, discriminator: DerivedID.timedOutDiscriminator),
                    source: source, correlationID: plan.correlationID, causationID: task.assignmentEnvelopeID,
                    subject: task.id, timeUnixMicros: deadline, attributes: task.spec.classification.attributes,
                    payload: .taskResult(result))
                outputs.append(Output(destination: .results, envelope: envelope))
            }
        }
        return outputs.sorted { $0.envelope.id < $1.envelope.id }
    }

    /// Unfinished plans with at least one attempt past its assignment timeout.
    public static func overduePlanCount(_ state: OrchestratorState, nowMicros: Int64) -> Int {
        state.plans.values.filter { plan in
            !plan.isFinished && plan.tasks.contains { isOverdue($0, in: plan, nowMicros: nowMicros) }
        }.count
    }

    /// Whether `result` is the orchestrator's own failure of a timed-out attempt.
    static func isAssignmentTimeout(_ result: TaskResult, _ event: Envelope) -> Bool {
        result.agentID == assignmentTimeoutAgent && event.source == source && result.state == .failed
    }

    /// A working attempt past its deadline. An attempt waiting for a person's approval is not
    /// overdue: the approval has its own deadline.
    private static func isOverdue(_ task: TaskRecord, in plan: PlanState, nowMicros: Int64) -> Bool {
        guard task.state == .working, let deadline = task.attemptDeadlineUnixMicros, deadline <= nowMicros,
              !task.assignmentEnvelopeID.isEmpty else { return false }
        return !plan.approvals.contains { $0.taskID == task.id && $0.attempt == task.attempt && $0.status == .pending }
    }
}
