/// How a task's work is classified for compliance: its risk class and IEC 62304 software
/// safety class, as the plan declares them.
///
/// It travels as envelope attributes: the orchestrator puts it on each `TaskAssigned`, the
/// agent runtime copies it onto its `TaskResult`, the compliance worker scopes its rules by
/// it, and the orchestrator refuses a result whose classification differs from the plan's
/// (an agent cannot move its work out of a rule's scope). Attribute keys under
/// ``reservedPrefix`` are the mesh's own; handlers cannot set them.
public struct TaskClassification: Sendable, Hashable {
    public static let reservedPrefix = "agentmesh."
    public static let riskClassKey = "agentmesh.risk_class"
    public static let safetyClassKey = "agentmesh.safety_class"

    public var riskClass: RiskClass
    public var safetyClass: SafetyClass

    public init(riskClass: RiskClass, safetyClass: SafetyClass = .unspecified) {
        self.riskClass = riskClass
        self.safetyClass = safetyClass
    }

    /// The classification `attributes` carry: unspecified where a key is absent or its value
    /// is not a known class.
    public init(attributes: [Attribute]) {
        riskClass = attributes[key: Self.riskClassKey].flatMap { Self.riskClassNames[$0] } ?? .unspecified
        safetyClass = attributes[key: Self.safetyClassKey].flatMap { Self.safetyClassNames[$0] } ?? .unspecified
    }

    /// The attributes for this classification, in key order; an unspecified class has none.
    public var attributes: [Attribute] {
        var attributes: [Attribute] = []
        if let riskClassName { attributes.append(Attribute(Self.riskClassKey, riskClassName)) }
        if let safetyClassName { attributes.append(Attribute(Self.safetyClassKey, safetyClassName)) }
        return attributes
    }

    /// `low`, `medium`, `high` or `critical`; `nil` if unspecified.
    public var riskClassName: String? { Self.riskClassNames.first { $0.value == riskClass }?.key }
    /// `A`, `B` or `C`; `nil` if unspecified.
    public var safetyClassName: String? { Self.safetyClassNames.first { $0.value == safetyClass }?.key }

    /// The classes by name: attribute values, and the names playbooks (`risk: high`,
    /// `safety_class: C`) and policy packs (`min_risk: high`, `safety_classes: [C]`) use.
    public static let riskClassNames: [String: RiskClass] = ["low": .low, "medium": .medium, "high": .high, "critical": .critical]
    public static let safetyClassNames: [String: SafetyClass] = ["A": .a, "B": .b, "C": .c]
}

extension TaskClassification: CustomStringConvertible {
    public var description: String {
        "risk \(riskClassName ?? "unspecified"), safety class \(safetyClassName ?? "unspecified")"
    }
}
