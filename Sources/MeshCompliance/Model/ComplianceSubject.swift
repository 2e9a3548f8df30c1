/// Risk class assigned to a task by the planner; ordered from `low` to `critical`.
public enum RiskClass: String, Sendable, Codable, CaseIterable, Comparable {
    case low, medium, high, critical

    /// Position in the ordering `low < medium < high < critical`.
    public var rank: Int {
        switch self {
        case .low: return 0
        case .medium: return 1
        case .high: return 2
        case .critical: return 3
        }
    }

    public static func < (lhs: RiskClass, rhs: RiskClass) -> Bool { lhs.rank < rhs.rank }
}

/// IEC 62304 §4.3 software safety class.
public enum SafetyClass: String, Sendable, Codable, CaseIterable {
    case a = "A", b = "B", c = "C"
}

/// One artifact produced by an agent for a task (code, document, test report …).
public struct Artifact: Sendable, Equatable, Codable {
    /// File-like name used in finding locations, e.g. `discharge-summary.md`.
    public var name: String
    /// Media type, e.g. `text/markdown`, `text/x-swift`.
    public var mediaType: String
    /// UTF-8 text content.
    public var content: String

    public init(name: String, mediaType: String, content: String) {
        self.name = name
        self.mediaType = mediaType
        self.content = content
    }
}

/// An electronic signature manifestation attached to the record (21 CFR §11.50).
///
/// Every field is optional because the checker's job is to report which parts are missing.
public struct ElectronicSignature: Sendable, Equatable, Codable {
    /// Printed name of the signer (§11.50(a)(1)).
    public var printedName: String?
    /// Date and time the signature was executed, ISO-8601 with zone (§11.50(a)(2)).
    public var signedAt: String?
    /// Meaning of the signature, e.g. `review`, `approval`, `authorship` (§11.50(a)(3)).
    public var meaning: String?

    public init(printedName: String?, signedAt: String?, meaning: String?) {
        self.printedName = printedName
        self.signedAt = signedAt
        self.meaning = meaning
    }
}

/// A human approval already granted for the task.
public struct HumanApproval: Sendable, Equatable, Codable {
    /// Identity of the approving person.
    public var approver: String
    /// Role under which the approval was given, e.g. `qa-lead`.
    public var role: String?
    /// ISO-8601 time of the approval.
    public var grantedAt: String?

    public init(approver: String, role: String? = nil, grantedAt: String? = nil) {
        self.approver = approver
        self.role = role
        self.grantedAt = grantedAt
    }
}

/// Everything the compliance core needs to judge one task result.
public struct ComplianceSubject: Sendable, Equatable, Codable {
    /// Task identifier (opaque).
    public var taskId: String
    /// Agent role that produced the result, e.g. `coder`, `doc-writer`.
    public var role: String
    /// Risk class of the task.
    public var risk: RiskClass
    /// IEC 62304 safety class of the affected software item, if known.
    public var safetyClass: SafetyClass?
    /// Free-form attributes, e.g. `requirement_ids: "SRS-012,SRS-013"`.
    public var attributes: [String: String]
    /// Artifacts to scan.
    public var artifacts: [Artifact]
    /// Electronic signatures attached to the record.
    public var signatures: [ElectronicSignature]
    /// Human approvals already granted.
    public var approvals: [HumanApproval]

    public init(
        taskId: String, role: String, risk: RiskClass, safetyClass: SafetyClass? = nil,
        attributes: [String: String] = [:], artifacts: [Artifact] = [],
        signatures: [ElectronicSignature] = [], approvals: [HumanApproval] = []
    ) {
        self.taskId = taskId
        self.role = role
        self.risk = risk
        self.safetyClass = safetyClass
        self.attributes = attributes
        self.artifacts = artifacts
        self.signatures = signatures
        self.approvals = approvals
    }
}
