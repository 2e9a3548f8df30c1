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
        let (changed, outputs) = handleRecordingState(plan: state.plan(event.correlationID), event)
        guard let changed else { return (state, outputs) }
        return (state.replacing(plan: changed), outputs)
    }

    /// ``handleRecordingState(_:_:)`` on the one plan the event belongs to, as
    /// ``handle(plan:_:)``.
    public func handleRecordingState(plan: PlanState?, _ event: Envelope) -> (changed: PlanState?, outputs: [Output]) {
        let (changed, outputs) = handle(plan: plan, event)
        guard let changed else { return (nil, outputs) }
        return (changed, outputs + [Self.snapshotOutput(of: changed, after: event)])
    }

    /// The changelog record of `plan` after `event`. Deterministic: same plan and event, same
    /// envelope.
    public static func snapshotOutput(of plan: PlanState, after event: Envelope) -> Output {
        let envelope = Envelope(
            id: DerivedID.make(causeID: event.id, role: "orchestrator", output: "snapshot"),
            source: source, correlationID: event.correlationID, causationID: event.id, subject: plan.planID,
            traceparent: event.traceparent, timeUnixMicros: event.timeUnixMicros,
            payload: .orchestratorSnapshot(OrchestratorSnapshot(
                formatVersion: UInt32(PlanSnapshot.formatVersion), state: PlanSnapshot.encode(plan), lastEventID: event.id)))
        return Output(destination: .changelog, envelope: envelope)
    }
}
