import MeshLogging
import MeshWire

// Moving tasks forward: assignment, acceptance, rework, and the plan's end.
extension PlanStep {
    /// Assigns every submitted task whose dependencies are all completed, in playbook order.
    mutating func releaseReadyTasks() {
        for index in plan.tasks.indices where plan.tasks[index].state == .submitted {
            let dependencies = plan.tasks[index].spec.dependsOn
            if dependencies.allSatisfy({ plan.task($0)?.state == .completed }) {
                assign(index, attempt: 1, feedback: [], detail: "assigned to \(plan.tasks[index].spec.role.rawValue)")
            }
        }
    }

    /// Sends attempt `attempt` of task `index`. Inputs are the accepted artifacts of its
    /// dependencies (in `depends_on` order), or the objective's inputs for a starting task.
    mutating func assign(_ index: Int, attempt: UInt32, feedback: [Finding], detail: String) {
        let spec = plan.tasks[index].spec
        let inputs = spec.dependsOn.isEmpty
            ? plan.objective.inputs
            : spec.dependsOn.flatMap { plan.task($0)?.acceptedArtifacts ?? [] }
        let discriminator = "\(spec.id)#\(attempt)"
        let deadline = event.timeUnixMicros &+ spec.assignmentTimeoutMicros
        plan.tasks[index].attempt = attempt
        plan.tasks[index].result = nil
        plan.tasks[index].assignmentClassified = true
        plan.tasks[index].assignedAtUnixMicros = event.timeUnixMicros
        plan.tasks[index].assignmentEnvelopeID = outputID(.taskAssigned, discriminator: discriminator)
        set(index, .working, "\(detail) (attempt \(attempt) of \(spec.maxAttempts)); waiting for the \(spec.role.rawValue) "
            + "agent's result since \(RFC3339.format(unixMicros: event.timeUnixMicros, fractionDigits: 0)), timeout "
            + PlaybookDuration.text(micros: spec.assignmentTimeoutMicros))
        let assigned = TaskAssigned(taskID: spec.id, planID: plan.planID, role: spec.role.rawValue,
                                    instructions: spec.instructions, attempt: attempt, inputs: inputs,
                                    feedback: feedback, deadlineUnixMicros: deadline)
        emit(.tasks(spec.role), .taskAssigned, discriminator: discriminator, subject: spec.id,
             attributes: spec.assignmentAttributes, .taskAssigned(assigned))
    }

    /// Accepts the current result of task `index`, then releases dependents and, when every
    /// task is completed, completes the plan.
    mutating func complete(_ index: Int, _ detail: String) {
        plan.tasks[index].acceptedArtifacts = plan.tasks[index].result?.artifacts ?? []
        set(index, .completed, detail)
        releaseReadyTasks()
        guard plan.tasks.allSatisfy({ $0.state == .completed }) else { return }
        let summary = "objective \"\(plan.objective.title)\" completed with playbook \(plan.playbookName) v\(plan.playbookVersion): "
            + plan.tasks.map { "\($0.id) accepted on attempt \($0.attempt)" }.joined(separator: ", ")
        plan.outcome = PlanOutcome(state: .completed, taskID: "", text: summary)
        emitTerminal(.planCompleted, .planCompleted(PlanCompleted(
            planID: plan.planID, summary: summary, artifacts: plan.tasks.flatMap(\.acceptedArtifacts))))
    }

    /// After a failed attempt or a change request: assign the next attempt with `feedback`
    /// while the budget lasts, otherwise fail the task and the plan (escalation).
    mutating func reworkOrEscalate(_ index: Int, feedback: [Finding], why: String) {
        let task = plan.tasks[index]
        if task.attempt < task.spec.maxAttempts {
            assign(index, attempt: task.attempt + 1, feedback: feedback,
                   detail: "attempt \(task.attempt) \(why); rework")
            return
        }
        set(index, .failed, "attempt \(task.attempt) \(why); attempt budget spent")
        failPlan(task.id, .failed, reason: "task \(task.id): attempt budget of \(task.spec.maxAttempts) spent; "
                 + "last attempt \(why)" + Self.describe(feedback), closing: index)
    }

    /// Ends the plan unsuccessfully: other open tasks are canceled, pending approvals
    /// withdrawn, and `PlanFailed` is published with `finalState`.
    mutating func failPlan(_ taskID: String, _ finalState: TaskState, reason: String, closing index: Int?) {
        for other in plan.tasks.indices where other != index && !plan.tasks[other].isTerminal {
            set(other, .canceled, finalState == .canceled ? "canceled with the objective" : "canceled: plan failed")
        }
        for approval in plan.approvals.indices where plan.approvals[approval].status == .pending {
            plan.approvals[approval].status = .withdrawn
        }
        plan.outcome = PlanOutcome(state: finalState, taskID: taskID, text: reason)
        markChanged()
        emitTerminal(.planFailed, .planFailed(PlanFailed(planID: plan.planID, failedTaskID: taskID, reason: reason,
                                                         finalState: finalState)))
    }

    /// `; findings: RULE (SEVERITY) message at location, ...` or nothing.
    static func describe(_ findings: [Finding]) -> String {
        guard !findings.isEmpty else { return "" }
        return "; findings: " + findings.map { finding in
            let location = finding.location.isEmpty ? "" : " at \(finding.location)"
            return "\(finding.ruleID) (\(finding.severity.protoName)) \(finding.message)\(location)"
        }.joined(separator: ", ")
    }
}
