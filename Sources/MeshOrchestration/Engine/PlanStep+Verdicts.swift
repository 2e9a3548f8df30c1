import MeshLogging
import MeshWire

// Verdicts: collect the machine verdicts of the current attempt, then decide.
extension PlanStep {
    mutating func receive(_ verdict: Verdict) {
        guard let index = locate(planID: verdict.planID, taskID: verdict.taskID, what: "verdict") else { return }
        let task = plan.tasks[index]
        guard task.spec.machineVerdicts.contains(verdict.kind) else {
            note("\(verdict.kind.protoName) verdict for \(task.id) ignored: the task requires "
                 + (task.spec.machineVerdicts.map(\.protoName).joined(separator: ", ").nonEmpty ?? "no machine verdicts")
                 + (verdict.kind == .human ? "; human decisions arrive as approval decisions" : ""))
            return
        }
        guard verdict.attempt == task.attempt, task.state == .working else {
            note("stale \(verdict.kind.protoName) verdict for \(task.id) attempt \(verdict.attempt) ignored "
                 + "(current attempt \(task.attempt), \(task.state.protoName))")
            return
        }
        guard [.approve, .requestChanges, .reject].contains(verdict.decision) else {
            note("\(verdict.kind.protoName) verdict for \(task.id) ignored: decision \(verdict.decision.protoName) is not a decision")
            return
        }
        if let result = task.result, verdict.resultEnvelopeID != result.envelopeID {
            note("\(verdict.kind.protoName) verdict for \(task.id) ignored: it judged result \(verdict.resultEnvelopeID), "
                 + "the recorded result is \(result.envelopeID)")
            return
        }
        let duplicate = task.verdicts.contains {
            $0.attempt == verdict.attempt && $0.kind == verdict.kind && $0.resultEnvelopeID == verdict.resultEnvelopeID
        }
        guard !duplicate else {
            note("second \(verdict.kind.protoName) verdict for \(task.id) attempt \(verdict.attempt) ignored")
            return
        }
        plan.tasks[index].verdicts.append(RecordedVerdict(
            envelopeID: event.id, attempt: verdict.attempt, kind: verdict.kind, decision: verdict.decision,
            findings: verdict.findings, resultEnvelopeID: verdict.resultEnvelopeID, reviewerID: verdict.reviewerID,
            approvalRequiredBy: verdict.approvalRequiredBy))
        progress("\(task.id): \(verdict.kind.protoName) \(verdict.decision.protoName) from \(verdict.reviewerID)")
        evaluate(index)
    }

    /// Decides task `index` once its result and every required machine verdict are in:
    /// reject wins, then request changes, then (all approve) acceptance or a human approval.
    mutating func evaluate(_ index: Int) {
        let task = plan.tasks[index]
        guard task.state == .working, task.result != nil else { return }
        let verdicts = task.currentVerdicts
        let missing = task.spec.machineVerdicts.filter { kind in !verdicts.contains { $0.kind == kind } }
        guard missing.isEmpty else {
            var detail = "awaiting \(missing.map(\.protoName).joined(separator: ", ")) (attempt \(task.attempt))"
            if let deadline = task.attemptDeadlineUnixMicros {
                detail += " since \(RFC3339.format(unixMicros: event.timeUnixMicros, fractionDigits: 0)), attempt times out at "
                    + RFC3339.format(unixMicros: deadline, fractionDigits: 0)
            }
            plan.tasks[index].detail = detail
            return
        }
        let findings = verdicts.flatMap(\.findings)
        if let rejection = verdicts.first(where: { $0.decision == .reject }) {
            set(index, .rejected, "rejected by the \(rejection.kind.protoName) verdict of \(rejection.reviewerID)")
            failPlan(task.id, .rejected, reason: "task \(task.id) attempt \(task.attempt) rejected by the "
                     + "\(rejection.kind.protoName) verdict of \(rejection.reviewerID)" + Self.describe(rejection.findings),
                     closing: index)
        } else if let request = verdicts.first(where: { $0.decision == .requestChanges }) {
            reworkOrEscalate(index, feedback: findings,
                             why: "got changes requested by the \(request.kind.protoName) verdict of \(request.reviewerID)")
        } else if let reason = approvalReason(index) {
            requestApproval(index, reason: reason)
        } else {
            complete(index, "accepted on attempt \(task.attempt)")
        }
    }
}

extension String {
    /// `nil` for the empty string.
    var nonEmpty: String? { isEmpty ? nil : self }
}
