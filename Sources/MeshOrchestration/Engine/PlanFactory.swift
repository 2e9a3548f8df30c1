import MeshSigning
import MeshWire

/// Expansion of an objective into a plan.
enum PlanFactory {
    /// A plan with no tasks yet, for `objective` submitted by `event`.
    static func emptyPlan(for objective: ObjectiveSubmitted, event: Envelope) -> PlanState {
        PlanState(
            correlationID: event.correlationID,
            planID: DerivedID.make(causeID: event.id, role: Orchestrator.role, output: "plan"),
            objective: objective, playbookName: objective.playbook, playbookVersion: 0, playbookHash: "",
            tasks: [], approvals: [], processedEventIDs: [], outcome: nil)
    }
}

extension PlanStep {
    /// Expands `playbook` into tasks, publishes `PlanCreated` and assigns the starting
    /// tasks; an unknown playbook fails the plan at once.
    mutating func start(with playbook: Playbook?, known: [String]) {
        guard let playbook else {
            let requested = plan.objective.playbook
            let hint = Suggestion.nearest(to: requested, in: known).map { "; did you mean \"\($0)\"?" }
                ?? "; known playbooks: \(known.joined(separator: ", ").nonEmpty ?? "none")"
            failPlan("", .failed, reason: "unknown playbook \"\(requested)\"" + hint, closing: nil)
            return
        }
        plan.playbookVersion = playbook.version
        plan.playbookHash = playbook.hash
        plan.tasks = playbook.tasks.map { TaskRecord(spec: TaskSpec($0, for: plan.objective)) }
        // The contract's objective id is the plan's correlation id (decoders refuse anything else).
        let created = PlanCreated(planID: plan.planID, objectiveID: plan.correlationID,
                                  playbook: playbook.name, playbookHash: playbook.hash,
                                  tasks: plan.tasks.map(\.spec.planned))
        emit(.plans, .planCreated, discriminator: "", subject: plan.planID, .planCreated(created))
        markChanged()
        note("plan created from playbook \(playbook.name) v\(playbook.version) with \(plan.tasks.count) tasks")
        releaseReadyTasks()
    }
}
