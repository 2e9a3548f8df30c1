import MeshCatalog
import MeshSigning
import MeshWire

/// The orchestrator's deterministic core: a pure function from (state, event) to
/// (state, outputs).
///
/// The runtime around it consumes the orchestrator's input topics, calls ``handle(_:_:)``
/// for each envelope, publishes the outputs, and persists the touched plan
/// (``PlanSnapshot``). Nothing here reads a clock, a random source or the environment:
/// output ids are derived from the input id (`DerivedID`), output time is the input's
/// time, so replaying a recorded log reproduces the outputs byte for byte.
///
/// Runtime contract:
/// 1. Verify the sealed envelope's signatures, then for a `TaskResult` stamp the digest of
///    the exact envelope bytes with ``ResultDigest/stamp(sealed:codec:)`` (stamping every
///    envelope is harmless). Approval decisions from people must have their e-signature
///    verified by the runtime; this core only checks one is present.
/// 2. `(state, outputs) = handle(state, envelope)`; publish each output to
///    `output.destination.topic(in: catalog)`, keyed by the envelope's correlation id.
/// 3. Persist `PlanSnapshot.encode(state.plan(envelope.correlationID)!)` to
///    `mesh.orchestrator.changelog` (key = correlation id) only once every other output of
///    the input, and of every earlier input of its partition, was acknowledged; commit the
///    input offset after the snapshot. A durable snapshot therefore never lists an input
///    whose outputs could still be lost: after a crash, an input the restored plan lists was
///    fully published (its redelivery is ignored), and one it does not list is applied again
///    and yields the same outputs byte for byte (derived ids, the event's time), which
///    consumers drop as duplicates. (The other choice, re-emitting an applied input's
///    outputs on redelivery, would need every input's outputs kept in the plan.) Restore
///    each plan from its snapshot that applied the most events.
/// 4. Events of a plan that is not in memory (a result, verdict, decision or cancel that a
///    crash redelivered before its objective) are held until the objective re-creates the
///    plan, not ignored: see `HoldInput` in the runtime.
/// 5. On a timer, publish ``expiredApprovals(_:nowMicros:)`` to `mesh.approvals` and
///    ``expiredAssignments(_:nowMicros:)`` to `mesh.results`; they come back as ordinary
///    inputs, so nothing waits forever and a replay reproduces every decision.
public struct Orchestrator: Sendable {
    /// CloudEvents `source` of every envelope the orchestrator emits.
    public static let source = "/mesh/orchestrator"
    /// Role name used when deriving output ids.
    public static let role = MeshRoles.orchestrator
    /// Signer id of the decisions produced by ``expiredApprovals(_:nowMicros:)``.
    public static let deadlineSigner = "system:deadline"

    /// Playbooks objectives may name.
    public let playbooks: PlaybookLibrary

    /// An orchestrator expanding `playbooks`.
    public init(playbooks: PlaybookLibrary) {
        self.playbooks = playbooks
    }

    /// Applies one event.
    ///
    /// - An envelope already applied to its plan (same id), or any event for a finished
    ///   plan, returns `state` unchanged and no outputs.
    /// - Events of no known plan (other than `ObjectiveSubmitted`), and envelopes that are
    ///   not orchestrator inputs (plan outputs, heartbeats), are ignored the same way.
    /// - Inadmissible events for a live plan (stale attempts, invalid approval decisions,
    ///   unknown tasks) change no task; they are recorded as processed and explained in a
    ///   `PlanStatus` detail.
    /// - Events of an evicted plan (``OrchestratorState/hasEvicted(_:)``) are ignored too, so a
    ///   redelivered `ObjectiveSubmitted` does not run the objective again.
    public func handle(_ state: OrchestratorState, _ event: Envelope) -> (OrchestratorState, [Output]) {
        applying(event, to: state) { handle(plan: $0, $1) }
    }

    /// Runs `handlePlan` (a plan-level handler) on the plan `event` belongs to, unless that
    /// plan was evicted, and puts a changed plan back into a copy of `state`: what
    /// ``handle(_:_:)`` and ``handleRecordingState(_:_:)`` share.
    func applying(
        _ event: Envelope, to state: OrchestratorState,
        _ handlePlan: (PlanState?, Envelope) -> (changed: PlanState?, outputs: [Output])
    ) -> (OrchestratorState, [Output]) {
        guard !state.hasEvicted(event.correlationID) else { return (state, []) }
        let (changed, outputs) = handlePlan(state.plan(event.correlationID), event)
        guard let changed else { return (state, outputs) }
        var next = state
        next.update(changed, at: event.timeUnixMicros)
        return (next, outputs)
    }

    /// ``handle(_:_:)`` on the one plan the event belongs to: `plan` is the plan of
    /// `event.correlationID` (`nil` when there is none yet). Returns the plan after the event,
    /// `nil` when the event left it unchanged (ignored), and the outputs. Plans never
    /// interact, so a runtime holding many plans needs no state of the others.
    public func handle(plan: consuming PlanState?, _ event: Envelope) -> (changed: PlanState?, outputs: [Output]) {
        let (after, changed, outputs) = apply(plan: plan, event, extraCapacity: 0)
        return (changed ? after : nil, outputs)
    }

    /// ``handle(plan:_:)``, returning the plan after the event whether or not it changed, and
    /// leaving room for `extraCapacity` more outputs in the returned array. `plan` is consumed:
    /// when the caller hands over its only copy, the event changes it in place instead of
    /// copying its tasks and event ids.
    func apply(plan: consuming PlanState?, _ event: Envelope, extraCapacity: Int)
        -> (plan: PlanState?, changed: Bool, outputs: [Output])
    {
        guard !event.correlationID.isEmpty else { return (plan, false, []) }
        guard let plan else {
            guard case .objectiveSubmitted(let objective) = event.payload else { return (nil, false, []) }
            var step = PlanStep(plan: PlanFactory.emptyPlan(for: objective, event: event), event: event)
            step.start(with: playbooks[objective.playbook], known: playbooks.names)
            step.plan.processedEventIDs.append(event.id)
            let outputs = step.finish(extraCapacity: extraCapacity)
            return (step.plan, true, outputs)
        }
        guard !plan.hasProcessed(event.id), !plan.isFinished else { return (plan, false, []) }
        var step = PlanStep(plan: plan, event: event)
        switch event.payload {
        case .objectiveSubmitted(let objective):
            step.note("objective \(objective.objectiveID) already has plan \(step.plan.planID); resubmission ignored")
        case .objectiveCancelRequested(let request): step.cancel(request)
        case .taskResult(let result): step.receive(result)
        case .verdict(let verdict): step.receive(verdict)
        case .approvalDecision(let decision): step.decide(decision)
        case .planCreated, .planStatus, .planCompleted, .planFailed, .taskAssigned, .approvalRequested, .agentHeartbeat,
             .replayRequested, .orchestratorSnapshot:
            return (step.plan, false, [])
        }
        // Every handled event is recorded, so a handled event always changes the plan.
        step.plan.processedEventIDs.append(event.id)
        let outputs = step.finish(extraCapacity: extraCapacity)
        return (step.plan, true, outputs)
    }
}
