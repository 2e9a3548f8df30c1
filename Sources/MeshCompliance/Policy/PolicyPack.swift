/// Where a rule applies. Empty lists mean "any".
public struct RuleScope: Sendable, Equatable {
    /// Agent roles the rule applies to.
    public var roles: [String]
    /// Artifact media types (`*` wildcards, e.g. `text/*`); text rules only.
    public var mediaTypes: [String]
    /// Minimum task risk class.
    public var minRisk: RiskClass?
    /// IEC 62304 safety classes; when non-empty, subjects without a class are out of scope.
    public var safetyClasses: [SafetyClass]

    public init(roles: [String] = [], mediaTypes: [String] = [], minRisk: RiskClass? = nil, safetyClasses: [SafetyClass] = []) {
        self.roles = roles
        self.mediaTypes = mediaTypes
        self.minRisk = minRisk
        self.safetyClasses = safetyClasses
    }

    /// Whether the subject-level conditions (role, risk, safety class) hold.
    public func applies(to s: ComplianceSubject) -> Bool {
        if !roles.isEmpty && !roles.contains(s.role) { return false }
        if let min = minRisk, s.risk < min { return false }
        if !safetyClasses.isEmpty {
            guard let c = s.safetyClass, safetyClasses.contains(c) else { return false }
        }
        return true
    }

    /// Whether an artifact of `mediaType` is in scope.
    public func applies(toMediaType mediaType: String) -> Bool {
        if mediaTypes.isEmpty { return true }
        let m = Array(mediaType.lowercased().utf8)
        return mediaTypes.contains { AllowList.glob(Array($0.lowercased().utf8), m) }
    }
}

/// One declarative rule of a policy pack, bound to a configured detector.
public struct PolicyRule: Sendable {
    /// Bundle-unique rule id, e.g. `hipaa-ssn`.
    public var id: String
    /// Id of the pack that declares the rule.
    public var packId: String
    public var description: String
    /// Detector name from the registry.
    public var detectorName: String
    /// Raw detector parameters as written in the pack.
    public var parameters: [String: ParameterValue]
    public var severity: Severity
    /// What a match does.
    public var onMatch: RuleOutcome
    public var scope: RuleScope
    /// Values never reported by this rule.
    public var allowList: AllowList
    /// The configured detector.
    public var detector: ConfiguredDetector
    /// What the rule's matches are (`nil` for record checks).
    public var identifierClass: IdentifierClass?
}

/// What a rule's match does to the verdict (`on_match`).
public enum RuleOutcome: String, Sendable, CaseIterable {
    /// The result goes back for rework.
    case requestChanges = "request_changes"
    /// The task fails at once.
    case reject
    /// The result may be accepted, but only with a human e-signature: the verdict names the
    /// rule in `approval_required_by` and the orchestrator asks for an approval first. For
    /// requirements a result cannot meet by itself when judged (a 21 CFR Part 11 signature,
    /// IEC 62304 class C review), since people sign after the machine verdicts.
    case requireApproval = "require_approval"

    /// The verdict decision a match forces (`approve` for `requireApproval`).
    public var decision: Decision {
        switch self {
        case .requestChanges: return .requestChanges
        case .reject: return .reject
        case .requireApproval: return .approve
        }
    }
}

/// A loaded policy pack.
public struct PolicyPack: Sendable {
    public var id: String
    public var version: String
    public var description: String
    public var rules: [PolicyRule]
    /// Named look-alike exclusions declared by the pack (they apply across the bundle).
    public var exclusions: [ExclusionRule]
    /// File the pack was loaded from (as given to the loader).
    public var source: String
    /// Canonical text of the pack used for the bundle hash (see `PolicyBundle.hash`).
    public var canonicalForm: String
}
