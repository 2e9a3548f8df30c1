import MeshWire

// Cancellation of an objective.
extension PlanStep {
    /// Cancels every open task and ends the plan with final state CANCELED.
    mutating func cancel(_ request: ObjectiveCancelRequested) {
        let who = request.requestedBy.nonEmpty ?? "an unnamed requester"
        let reason = "objective canceled by \(who)" + (request.reason.isEmpty ? "" : ": \(request.reason)")
        failPlan("", .canceled, reason: reason, closing: nil)
    }
}
