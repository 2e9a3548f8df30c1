import MeshSigning
import MeshWire

// Human approval: when it is needed, the request, and the decision.
extension PlanStep {
    /// Why task `index` needs a human approval now, or `nil` if it does not: the task lists
    /// the `human` verdict, a verdict on the current result names rules that require one
    /// (`approvalRequiredBy`: Part 11 signatures, IEC 62304 class C), its risk class reaches
    /// the policy threshold, or a finding of the policy's severity was raised on any attempt.
    func approvalReason(_ index: Int) -> String? {
        let task = plan.tasks[index]
        if task.spec.requiredVerdicts.contains(.human) {
            return "the playbook requires a human verdict on \(task.id)"
        }
        if let verdict = task.currentVerdicts.first(where: { !$0.approvalRequiredBy.isEmpty }) {
            return "the \(verdict.kind.protoName) verdict of \(verdict.reviewerID) accepts the result only with a human "
                + "e-signature (rules \(verdict.approvalRequiredBy.joined(separator: ", ")))"
        }
        guard let policy = task.spec.approval else { return nil }
        if let threshold = policy.riskAtLeast, task.spec.riskClass.rawValue >= threshold.rawValue {
            return "risk class \(task.spec.riskClass.protoName) reaches the approval threshold \(threshold.protoName)"
        }
        if let threshold = policy.findingSeverityAtLeast {
            for verdict in task.verdicts {
                if let finding = verdict.findings.first(where: { $0.severity.rawValue >= threshold.rawValue }) {
                    return "finding \(finding.ruleID) (\(finding.severity.protoName)) raised by the "
                        + "\(verdict.kind.protoName) verdict on attempt \(verdict.attempt) reaches the approval "
                        + "threshold \(threshold.protoName)"
                }
            }
        }
        return nil
    }

    /// Publishes an `ApprovalRequested` bound to the current result's digest and parks the
    /// task in input-required until a decision (or the deadline) arrives.
    mutating func requestApproval(_ index: Int, reason: String) {
        let task = plan.tasks[index]
        guard let result = task.result else { return }
        let approvalID = DerivedID.make(causeID: result.envelopeID, role: Orchestrator.role, output: "approval",
                                        discriminator: "\(task.id)#\(task.attempt)")
        let deadline = event.timeUnixMicros &+ (task.spec.approval?.deadlineMicros ?? ApprovalPolicy.defaultDeadlineMicros)
        let request = ApprovalRequested(
            approvalID: approvalID, taskID: task.id, planID: plan.planID, attempt: task.attempt,
            resultEnvelopeID: result.envelopeID, resultSHA256: result.sha256, reason: reason,
            deadlineUnixMicros: deadline, authorID: result.agentID)
        emit(.approvals, .approvalRequested, discriminator: "\(task.id)#\(task.attempt)", subject: approvalID,
             .approvalRequested(request))
        let requestEnvelopeID = DerivedID.make(causeID: event.id, role: Orchestrator.role,
                                               output: PayloadKind.approvalRequested.rawValue,
                                               discriminator: "\(task.id)#\(task.attempt)")
        plan.approvals.append(ApprovalRecord(
            approvalID: approvalID, taskID: task.id, attempt: task.attempt, resultEnvelopeID: result.envelopeID,
            resultSHA256: result.sha256, authorID: result.agentID, reason: reason, deadlineUnixMicros: deadline,
            requestEnvelopeID: requestEnvelopeID, traceparent: event.traceparent, status: .pending, decidedBy: ""))
        set(index, .inputRequired, "awaiting human approval \(approvalID): \(reason)")
    }

    /// Applies a human (or deadline) decision after checking it is admissible; an
    /// inadmissible decision changes nothing and is reported in the status detail.
    mutating func decide(_ decision: ApprovalDecision) {
        guard let slot = plan.approvals.firstIndex(where: { $0.approvalID == decision.approvalID }) else {
            note("decision for unknown approval \(decision.approvalID) ignored")
            return
        }
        let approval = plan.approvals[slot]
        if let problem = inadmissibility(of: decision, for: approval) {
            note("decision on approval \(approval.approvalID) by \(decision.signerID.nonEmpty ?? "(no signer)") ignored: \(problem)")
            return
        }
        guard let index = plan.taskIndex(approval.taskID), plan.tasks[index].state == .inputRequired,
              plan.tasks[index].attempt == approval.attempt else {
            note("decision on approval \(approval.approvalID) ignored: task \(approval.taskID) is not waiting for it")
            return
        }
        plan.approvals[slot].decidedBy = decision.signerID
        let expired = decision.signerID == Orchestrator.deadlineSigner
        if decision.decision == .approve {
            plan.approvals[slot].status = .approved
            complete(index, "approved by \(decision.signerID) (\(decision.meaning)) via \(approval.approvalID)")
            return
        }
        plan.approvals[slot].status = expired ? .expired : .rejected
        let why = expired
            ? "approval \(approval.approvalID) expired without a decision"
            : "approval \(approval.approvalID) rejected by \(decision.signerID)"
                + (decision.reason.isEmpty ? "" : ": \(decision.reason)")
        set(index, .rejected, why)
        failPlan(approval.taskID, .rejected, reason: "task \(approval.taskID) attempt \(approval.attempt): \(why)",
                 closing: index)
    }

    /// Why `decision` cannot be applied to `approval`, or `nil` if it can.
    private func inadmissibility(of decision: ApprovalDecision, for approval: ApprovalRecord) -> String? {
        guard approval.status == .pending else { return "the approval is already \(approval.status.rawValue)" }
        guard decision.resultSHA256 == approval.resultSHA256 else {
            return "it signs result hash \(Hex.encode(decision.resultSHA256).nonEmpty ?? "(none)"), "
                + "the approval is for \(Hex.encode(approval.resultSHA256))"
        }
        guard [.approve, .reject].contains(decision.decision) else {
            return "decision \(decision.decision.protoName) is neither approve nor reject"
        }
        if decision.signerID == Orchestrator.deadlineSigner {
            guard event.source == Orchestrator.source, decision.decision == .reject else {
                return "only the orchestrator may expire an approval, and only by rejecting it"
            }
            guard decision.signedAtUnixMicros >= approval.deadlineUnixMicros,
                  event.timeUnixMicros >= approval.deadlineUnixMicros else {
                return "the deadline has not passed"
            }
            return nil
        }
        guard !decision.signerID.isEmpty else { return "no signer" }
        guard decision.signerID != approval.authorID else {
            return "separation of duties: \(decision.signerID) authored the result and may not decide on it"
        }
        guard let signature = decision.signature, !signature.signature.isEmpty else {
            return "the decision carries no e-signature"
        }
        return nil
    }
}
