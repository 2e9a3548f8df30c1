import MeshSigning
import MeshWire

extension Orchestrator {
    /// ``handle(_:_:)``, plus one changelog output: the plan's state after the event, as a
    /// signed `OrchestratorSnapshot` for `mesh.orchestrator.changelog`, whenever the event
    /// changed the plan.
    ///
    /// The runtime publishes every output and only then marks the input done, and restores
    /// plans from their latest snapshot after a restart or a rebalance. Snapshots are also the
    /// record of the order in which events were applied: `meshctl replay --rebuild` replays
    /// exactly the events named by consecutive snapshots (`lastEventID`), in that order, and
    /// can compare the state after each one.
    public func handleRecordingState(_ state: OrchestratorState, _ event: Envelope) -> (OrchestratorState, [Output]) {
        applying(event, to: state) { handleRecordingState(plan: $0, $1) }
    }

    /// ``handleRecordingState(_:_:)`` on the one plan the event belongs to, as
    /// ``handle(plan:_:)``.
    public func handleRecordingState(plan: PlanState?, _ event: Envelope) -> (changed: PlanState?, outputs: [Output]) {
        var plan = plan
        let (changed, outputs) = handleRecordingState(updating: &plan, event)
        return (changed ? plan : nil, outputs)
    }

    /// ``handleRecordingState(plan:_:)`` for a runtime that holds its plans: applies `event`
    /// to `plan` in place (`nil`: no plan yet) and returns whether it changed and the outputs,
    /// the snapshot last. A runtime that takes the plan out of its map for the call (so `plan`
    /// is its only copy) spares the copy of the plan's tasks and event ids on every event.
    public func handleRecordingState(updating plan: inout PlanState?, _ event: Envelope) -> (changed: Bool, outputs: [Output]) {
        let taken = plan
        plan = nil
        var (after, changed, outputs) = apply(plan: taken, event, extraCapacity: 1)
        if changed, let after { outputs.append(Self.snapshotOutput(of: after, after: event)) }
        plan = after
        return (changed, outputs)
    }

    /// The changelog record of `plan` after `event`. Deterministic: same plan and event, same
    /// envelope.
    public static func snapshotOutput(of plan: PlanState, after event: Envelope) -> Output {
        let id = DerivedID.make(causeID: event.id, role: Orchestrator.role, output: "snapshot")
        let envelope = Envelope(
            id: id, source: source, correlationID: event.correlationID, causationID: event.id, subject: plan.planID,
            traceparent: TraceContext.traceparent(ofOutput: id, causedBy: event), timeUnixMicros: event.timeUnixMicros,
            payload: .orchestratorSnapshot(OrchestratorSnapshot(
                formatVersion: UInt32(PlanSnapshot.formatVersion), state: PlanSnapshot.encode(plan), lastEventID: event.id)))
        return Output(destination: .changelog, envelope: envelope)
    }
}
