import MeshSigning
import MeshWire

extension Orchestrator {
    /// Expiry decisions for every pending approval whose deadline is at or before `nowMicros`.
    ///
    /// The runtime calls this on a timer and publishes the returned `ApprovalDecision`s to
    /// `mesh.approvals` (decision REJECT, signer `system:deadline`, meaning `expired`). It
    /// then consumes them like any decision, so the state only changes through logged
    /// events and a replay of the log reproduces the outcome.
    ///
    /// The result depends only on `state` and on which deadlines have passed: each
    /// decision's time and `signedAtUnixMicros` are the deadline itself and its id is
    /// derived from the approval request, so calling this again before the decision is
    /// consumed yields the identical envelope (consumers drop it as a duplicate).
    public static func expiredApprovals(_ state: OrchestratorState, nowMicros: Int64) -> [Output] {
        var outputs: [Output] = []
        // Most plans wait for no one: filter before sorting (this runs every second over
        // every plan the instance holds, finished ones included).
        let waiting = state.plans.values.filter { !$0.isFinished && $0.approvals.contains { $0.status == .pending } }
        for plan in waiting.sorted(by: { $0.correlationID < $1.correlationID }) {
            for approval in plan.pendingApprovals
            where approval.deadlineUnixMicros > 0 && approval.deadlineUnixMicros <= nowMicros {
                let decision = ApprovalDecision(
                    approvalID: approval.approvalID, decision: .reject, signerID: deadlineSigner,
                    printedName: "Approval deadline", meaning: "expired",
                    signedAtUnixMicros: approval.deadlineUnixMicros,
                    reason: "no decision before the deadline", resultSHA256: approval.resultSHA256)
                let id = DerivedID.make(causeID: approval.requestEnvelopeID, role: role,
                                        output: PayloadKind.approvalDecision.rawValue, discriminator: DerivedID.expiredDiscriminator)
                let trace = TraceContext.of(envelope: id, parentTraceparent: approval.traceparent, correlationID: plan.correlationID)
                let envelope = Envelope(
                    id: id, source: source, correlationID: plan.correlationID, causationID: approval.requestEnvelopeID,
                    subject: approval.approvalID, traceparent: trace.traceparent,
                    timeUnixMicros: approval.deadlineUnixMicros, payload: .approvalDecision(decision))
                outputs.append(Output(destination: .approvals, envelope: envelope))
            }
        }
        return outputs
    }
}
