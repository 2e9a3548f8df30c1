import MeshSigning
import MeshWire

/// The work of applying one event to one plan: the plan being changed, and the outputs
/// collected on the way. Everything an output contains comes from the plan and the event.
struct PlanStep {
    var plan: PlanState
    let event: Envelope
    private var outputs: [Output] = []
    private var terminal: Output?
    private var notes: [String] = []
    /// Set by ``note(_:)``: something a reader of the plan must be told even when no task
    /// changed state (an ignored or inadmissible event), so the event gets a `PlanStatus`.
    private var explained = false
    private var changed = false

    init(plan: PlanState, event: Envelope) {
        self.plan = plan
        self.event = event
    }

    /// Adds a line to this event's `PlanStatus.detail` and makes the event publish one (also
    /// used for ignored events).
    mutating func note(_ text: String) {
        notes.append(text)
        explained = true
    }

    /// Adds a line about progress that changed no task state (a result or verdict recorded
    /// while others are awaited) to this event's `PlanStatus.detail`, without making the event
    /// publish one of its own: the A2A states it would show are those of the last status, and
    /// two of a one-task objective's four statuses were such repeats.
    mutating func progress(_ text: String) { notes.append(text) }

    /// Moves task `index` to `state` and records why; every change is reported in the
    /// event's `PlanStatus`.
    mutating func set(_ index: Int, _ state: TaskState, _ detail: String) {
        plan.tasks[index].state = state
        plan.tasks[index].detail = detail
        changed = true
        note("\(plan.tasks[index].id): \(detail)")
    }

    /// Marks that something other than a task state changed (e.g. plan creation).
    mutating func markChanged() { changed = true }

    /// Queues an output envelope.
    mutating func emit(_ destination: Output.Destination, _ kind: PayloadKind, discriminator: String,
                       subject: String, attributes: [Attribute] = [], _ payload: Payload) {
        // Outputs are large values: room for this event's likely ones (assignments, then
        // status, terminal and snapshot) at once instead of growing the array step by step.
        if outputs.isEmpty { outputs.reserveCapacity(plan.tasks.count + 4) }
        outputs.append(Output(destination: destination, envelope: envelope(
            kind, discriminator: discriminator, subject: subject, attributes: attributes, payload)))
    }

    /// Sets the final PlanCompleted / PlanFailed output (published after the status).
    mutating func emitTerminal(_ kind: PayloadKind, _ payload: Payload) {
        terminal = Output(destination: .plans,
                          envelope: envelope(kind, discriminator: "", subject: plan.planID, payload))
    }

    /// The outputs in publication order: assignments and approval requests, then one
    /// `PlanStatus` if a task state (or the plan) changed or an event was explained, then the
    /// terminal outcome. The array
    /// has room for `extraCapacity` more (the caller's snapshot), so appending it does not
    /// copy. Moves the outputs out of the step.
    mutating func finish(extraCapacity: Int = 0) -> [Output] {
        var all: [Output] = []
        swap(&all, &outputs)
        all.reserveCapacity(all.count + 2 + extraCapacity)
        if changed || explained {
            let status = PlanStatus(planID: plan.planID, tasks: plan.statuses, detail: notes.joined(separator: "; "))
            all.append(Output(destination: .plans, envelope: envelope(
                .planStatus, discriminator: "", subject: plan.planID, .planStatus(status))))
        }
        if let terminal { all.append(terminal) }
        return all
    }

    /// The id of this event's output of `kind` (deterministic: from the event's id).
    func outputID(_ kind: PayloadKind, discriminator: String) -> String {
        DerivedID.make(causeID: event.id, role: Orchestrator.role, output: kind.rawValue, discriminator: discriminator)
    }

    /// A derived envelope: deterministic id, the event's time, correlation and trace.
    private func envelope(_ kind: PayloadKind, discriminator: String, subject: String, attributes: [Attribute] = [],
                          _ payload: Payload) -> Envelope {
        let id = outputID(kind, discriminator: discriminator)
        return Envelope(
            id: id, source: Orchestrator.source, correlationID: event.correlationID, causationID: event.id,
            subject: subject, traceparent: TraceContext.traceparent(ofOutput: id, causedBy: event),
            timeUnixMicros: event.timeUnixMicros, attributes: attributes, payload: payload)
    }
}
