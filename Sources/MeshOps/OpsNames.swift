import MeshWire

/// The words operators see for task states and decisions, the same in meshctl and the console.
public enum OpsNames {
    public static func state(_ state: TaskState) -> String {
        switch state {
        case .unspecified: "unspecified"
        case .submitted: "submitted"
        case .working: "working"
        case .inputRequired: "input-required"
        case .completed: "completed"
        case .failed: "failed"
        case .canceled: "canceled"
        case .rejected: "rejected"
        case .unrecognized(let value): "state(\(value))"
        }
    }

    public static func decision(_ decision: Decision) -> String {
        switch decision {
        case .approve: return "approve"
        case .requestChanges: return "request_changes"
        case .reject: return "reject"
        default: return decision.protoName.lowercased()
        }
    }
}
