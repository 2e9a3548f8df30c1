/// Outcome of a rule match or of a whole evaluation. Ordered `approve < requestChanges < reject`.
public enum Decision: String, Sendable, Codable, Comparable, CaseIterable {
    case approve
    case requestChanges = "request_changes"
    case reject

    var rank: Int {
        switch self {
        case .approve: return 0
        case .requestChanges: return 1
        case .reject: return 2
        }
    }

    public static func < (lhs: Decision, rhs: Decision) -> Bool { lhs.rank < rhs.rank }
}

/// Severity of a finding. Ordered `info < low < medium < high < critical`.
public enum Severity: String, Sendable, Codable, Comparable, CaseIterable {
    case info, low, medium, high, critical

    var rank: Int {
        switch self {
        case .info: return 0
        case .low: return 1
        case .medium: return 2
        case .high: return 3
        case .critical: return 4
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// One problem found by one rule. Messages never contain a sensitive value in full.
public struct Finding: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Id of the rule that produced the finding.
    public var ruleId: String
    /// Severity configured on the rule.
    public var severity: Severity
    /// Human-readable message with the matched value masked.
    public var message: String
    /// `artifact:line:column` (1-based, column counted in Unicode scalars) for text findings,
    /// or a record path such as `signatures[0].meaning` for record findings.
    public var location: String
    /// What was found, with its Safe Harbor letter (text findings).
    public var identifierClass: IdentifierClass?
    /// Artifact name (text findings).
    public var artifact: String?
    /// Character (Unicode scalar) offsets of the match in the artifact: `start` inclusive,
    /// `end` exclusive.
    public var start: Int?
    public var end: Int?
    /// 1-based line and column (column in Unicode scalars) of `start`.
    public var line: Int?
    public var column: Int?
    /// Path of the field holding the match, where the structure is known: `$.patient.mrn`,
    /// `PID-5.1`, `$[3].ssn`, `patients[0].ssn`.
    public var path: String?
    /// The matched value, masked.
    public var masked: String?
    /// The exclusion that suppressed the match (suppressed findings only).
    public var excludedBy: String?

    public init(ruleId: String, severity: Severity, message: String, location: String,
                identifierClass: IdentifierClass? = nil, artifact: String? = nil, start: Int? = nil, end: Int? = nil,
                line: Int? = nil, column: Int? = nil, path: String? = nil, masked: String? = nil, excludedBy: String? = nil) {
        self.ruleId = ruleId
        self.severity = severity
        self.message = message
        self.location = location
        self.identifierClass = identifierClass
        self.artifact = artifact
        self.start = start
        self.end = end
        self.line = line
        self.column = column
        self.path = path
        self.masked = masked
        self.excludedBy = excludedBy
    }

    /// `location` followed by the field path when known: `patient.json:4:12 $.patient.mrn`.
    public var locationWithPath: String { path.map { "\(location) \($0)" } ?? location }

    public var description: String {
        let cls = identifierClass.map { " [\($0.label)]" } ?? ""
        let excluded = excludedBy.map { " (excluded by \($0))" } ?? ""
        return "\(locationWithPath): [\(severity.rawValue)] \(ruleId)\(cls): \(message)\(excluded)"
    }
}

/// The verdict of a `PolicyBundle` on one `ComplianceSubject`.
public struct ComplianceEvaluation: Sendable, Equatable, Codable {
    /// Strongest decision among matched rules; `approve` when nothing matched.
    public var decision: Decision
    /// Findings in deterministic order (record findings first, then by artifact, offset, rule id).
    public var findings: [Finding]
    /// Sorted ids of the rules whose decision equals `decision` (empty for `approve`).
    public var decidingRuleIds: [String]
    /// Matches suppressed by a rule allow-list (reported separately, never deciding).
    public var suppressed: [Finding]
    /// SHA-256 (lowercase hex) of the policy bundle that produced the verdict.
    public var bundleHash: String
    /// Sorted ids of the matched `require_approval` rules: the result may be accepted only
    /// with a human e-signature.
    public var approvalRequiredBy: [String]

    public init(
        decision: Decision, findings: [Finding], decidingRuleIds: [String],
        suppressed: [Finding], bundleHash: String, approvalRequiredBy: [String] = []
    ) {
        self.decision = decision
        self.findings = findings
        self.decidingRuleIds = decidingRuleIds
        self.suppressed = suppressed
        self.bundleHash = bundleHash
        self.approvalRequiredBy = approvalRequiredBy
    }
}
