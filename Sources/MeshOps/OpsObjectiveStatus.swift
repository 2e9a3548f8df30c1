import MeshWire

/// The latest known state of one objective, folded from its envelopes.
public struct OpsObjectiveStatus: Sendable {
    public var correlationID: String
    public var objective: ObjectiveSubmitted?
    public var created: PlanCreated?
    public var status: PlanStatus?
    public var statusTime: Int64 = 0
    public var completed: PlanCompleted?
    public var failed: PlanFailed?
    public var cancelRequested: ObjectiveCancelRequested?

    public init(correlationID: String, envelopes: [Envelope]) {
        self.correlationID = correlationID
        for envelope in envelopes.sorted(by: { $0.timeUnixMicros < $1.timeUnixMicros }) where envelope.correlationID == correlationID {
            switch envelope.payload {
            case .objectiveSubmitted(let value): objective = objective ?? value
            case .objectiveCancelRequested(let value): cancelRequested = value
            case .planCreated(let value): created = created ?? value
            case .planStatus(let value):
                status = value
                statusTime = envelope.timeUnixMicros
            case .planCompleted(let value): completed = value
            case .planFailed(let value): failed = value
            default: break
            }
        }
    }

    public var found: Bool { objective != nil || created != nil || status != nil || completed != nil || failed != nil }

    public var state: String {
        if completed != nil { return "completed" }
        if let failed { return OpsNames.state(failed.finalState) }
        if created != nil || status != nil { return "working" }
        return "submitted"
    }

    public struct Row {
        public var task: String
        public var role: String
        public var state: String
        public var attempt: UInt32
        public var detail: String
    }

    /// One row per planned task; tasks not in the latest status are still `submitted`.
    public var rows: [Row] {
        var rows: [Row] = []
        let statuses = status?.tasks ?? []
        for task in created?.tasks ?? [] {
            let current = statuses.first { $0.taskID == task.taskID }
            rows.append(Row(task: task.taskID, role: task.role,
                            state: OpsNames.state(current?.state ?? .submitted),
                            attempt: current?.attempt ?? 0, detail: current?.detail ?? "not started"))
        }
        for extra in statuses where !rows.contains(where: { $0.task == extra.taskID }) {
            rows.append(Row(task: extra.taskID, role: "?", state: OpsNames.state(extra.state),
                            attempt: extra.attempt, detail: extra.detail))
        }
        return rows
    }
}

