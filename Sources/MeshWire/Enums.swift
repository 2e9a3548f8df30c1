// Swift mirrors of the proto enums. Case 0 is always `unspecified`, matching proto3's rule
// that the zero value means "not set".

/// Algorithm of a `Signature`; verification must refuse algorithms it does not implement.
public enum SignatureAlgorithm: WireEnum {
    case unspecified, hmacSHA256, ed25519
    case unrecognized(Int32)

    public init(rawValue: Int32) {
        switch rawValue {
        case 0: self = .unspecified
        case 1: self = .hmacSHA256
        case 2: self = .ed25519
        default: self = .unrecognized(rawValue)
        }
    }

    public var rawValue: Int32 {
        switch self {
        case .unspecified: 0
        case .hmacSHA256: 1
        case .ed25519: 2
        case .unrecognized(let value): value
        }
    }

    public var protoName: String {
        switch Self(rawValue: rawValue) {
        case .unspecified: "SIGNATURE_ALGORITHM_UNSPECIFIED"
        case .hmacSHA256: "SIGNATURE_ALGORITHM_HMAC_SHA256"
        case .ed25519: "SIGNATURE_ALGORITHM_ED25519"
        case .unrecognized(let value): "UNRECOGNIZED(\(value))"
        }
    }

}

/// Severity of a `Finding`, ordered from informational to critical.
public enum Severity: WireEnum {
    case unspecified, info, low, medium, high, critical
    case unrecognized(Int32)

    public init(rawValue: Int32) {
        switch rawValue {
        case 0: self = .unspecified
        case 1: self = .info
        case 2: self = .low
        case 3: self = .medium
        case 4: self = .high
        case 5: self = .critical
        default: self = .unrecognized(rawValue)
        }
    }

    public var rawValue: Int32 {
        switch self {
        case .unspecified: 0
        case .info: 1
        case .low: 2
        case .medium: 3
        case .high: 4
        case .critical: 5
        case .unrecognized(let value): value
        }
    }

    public var protoName: String {
        switch Self(rawValue: rawValue) {
        case .unspecified: "SEVERITY_UNSPECIFIED"
        case .info: "SEVERITY_INFO"
        case .low: "SEVERITY_LOW"
        case .medium: "SEVERITY_MEDIUM"
        case .high: "SEVERITY_HIGH"
        case .critical: "SEVERITY_CRITICAL"
        case .unrecognized(let value): "UNRECOGNIZED(\(value))"
        }
    }
}

/// A2A task lifecycle state.
public enum TaskState: WireEnum {
    case unspecified, submitted, working, inputRequired, completed, failed, canceled, rejected
    case unrecognized(Int32)

    public init(rawValue: Int32) {
        switch rawValue {
        case 0: self = .unspecified
        case 1: self = .submitted
        case 2: self = .working
        case 3: self = .inputRequired
        case 4: self = .completed
        case 5: self = .failed
        case 6: self = .canceled
        case 7: self = .rejected
        default: self = .unrecognized(rawValue)
        }
    }

    public var rawValue: Int32 {
        switch self {
        case .unspecified: 0
        case .submitted: 1
        case .working: 2
        case .inputRequired: 3
        case .completed: 4
        case .failed: 5
        case .canceled: 6
        case .rejected: 7
        case .unrecognized(let value): value
        }
    }

    public var protoName: String {
        switch Self(rawValue: rawValue) {
        case .unspecified: "TASK_STATE_UNSPECIFIED"
        case .submitted: "TASK_STATE_SUBMITTED"
        case .working: "TASK_STATE_WORKING"
        case .inputRequired: "TASK_STATE_INPUT_REQUIRED"
        case .completed: "TASK_STATE_COMPLETED"
        case .failed: "TASK_STATE_FAILED"
        case .canceled: "TASK_STATE_CANCELED"
        case .rejected: "TASK_STATE_REJECTED"
        case .unrecognized(let value): "UNRECOGNIZED(\(value))"
        }
    }
}

/// Which gate produced a `Verdict`.
public enum VerdictKind: WireEnum {
    case unspecified, review, compliance, human
    case unrecognized(Int32)

    public init(rawValue: Int32) {
        switch rawValue {
        case 0: self = .unspecified
        case 1: self = .review
        case 2: self = .compliance
        case 3: self = .human
        default: self = .unrecognized(rawValue)
        }
    }

    public var rawValue: Int32 {
        switch self {
        case .unspecified: 0
        case .review: 1
        case .compliance: 2
        case .human: 3
        case .unrecognized(let value): value
        }
    }

    public var protoName: String {
        switch Self(rawValue: rawValue) {
        case .unspecified: "VERDICT_KIND_UNSPECIFIED"
        case .review: "VERDICT_KIND_REVIEW"
        case .compliance: "VERDICT_KIND_COMPLIANCE"
        case .human: "VERDICT_KIND_HUMAN"
        case .unrecognized(let value): "UNRECOGNIZED(\(value))"
        }
    }
}

/// Risk class of a planned task; drives which verdicts and approvals it needs.
public enum RiskClass: WireEnum {
    case unspecified, low, medium, high, critical
    case unrecognized(Int32)

    public init(rawValue: Int32) {
        switch rawValue {
        case 0: self = .unspecified
        case 1: self = .low
        case 2: self = .medium
        case 3: self = .high
        case 4: self = .critical
        default: self = .unrecognized(rawValue)
        }
    }

    public var rawValue: Int32 {
        switch self {
        case .unspecified: 0
        case .low: 1
        case .medium: 2
        case .high: 3
        case .critical: 4
        case .unrecognized(let value): value
        }
    }

    public var protoName: String {
        switch Self(rawValue: rawValue) {
        case .unspecified: "RISK_CLASS_UNSPECIFIED"
        case .low: "RISK_CLASS_LOW"
        case .medium: "RISK_CLASS_MEDIUM"
        case .high: "RISK_CLASS_HIGH"
        case .critical: "RISK_CLASS_CRITICAL"
        case .unrecognized(let value): "UNRECOGNIZED(\(value))"
        }
    }
}

/// IEC 62304 software safety class of the software item a task changes.
public enum SafetyClass: WireEnum {
    case unspecified, a, b, c
    case unrecognized(Int32)

    public init(rawValue: Int32) {
        switch rawValue {
        case 0: self = .unspecified
        case 1: self = .a
        case 2: self = .b
        case 3: self = .c
        default: self = .unrecognized(rawValue)
        }
    }

    public var rawValue: Int32 {
        switch self {
        case .unspecified: 0
        case .a: 1
        case .b: 2
        case .c: 3
        case .unrecognized(let value): value
        }
    }

    public var protoName: String {
        switch Self(rawValue: rawValue) {
        case .unspecified: "SAFETY_CLASS_UNSPECIFIED"
        case .a: "SAFETY_CLASS_A"
        case .b: "SAFETY_CLASS_B"
        case .c: "SAFETY_CLASS_C"
        case .unrecognized(let value): "UNRECOGNIZED(\(value))"
        }
    }
}

/// Outcome of a verdict or a human approval.
public enum Decision: WireEnum {
    case unspecified, approve, requestChanges, reject
    case unrecognized(Int32)

    public init(rawValue: Int32) {
        switch rawValue {
        case 0: self = .unspecified
        case 1: self = .approve
        case 2: self = .requestChanges
        case 3: self = .reject
        default: self = .unrecognized(rawValue)
        }
    }

    public var rawValue: Int32 {
        switch self {
        case .unspecified: 0
        case .approve: 1
        case .requestChanges: 2
        case .reject: 3
        case .unrecognized(let value): value
        }
    }

    public var protoName: String {
        switch Self(rawValue: rawValue) {
        case .unspecified: "DECISION_UNSPECIFIED"
        case .approve: "DECISION_APPROVE"
        case .requestChanges: "DECISION_REQUEST_CHANGES"
        case .reject: "DECISION_REJECT"
        case .unrecognized(let value): "UNRECOGNIZED(\(value))"
        }
    }
}
