/// A playbook task's own ceiling on what a model-backed agent may spend on one attempt,
/// over the agent definition's: tokens (prompt and completion, repair turns included) and
/// cost in the definition's price unit; 0 leaves the definition's ceiling.
///
/// It travels like ``TaskClassification``: the orchestrator puts it on each `TaskAssigned`
/// as attributes under the mesh's reserved prefix, which handlers cannot set.
public struct TaskModelBudget: Sendable, Hashable, Codable {
    public static let maxTokensKey = "agentmesh.model_budget.max_tokens"
    public static let maxCostKey = "agentmesh.model_budget.max_cost"

    public var maxTokens: Int
    public var maxCost: Double

    public init(maxTokens: Int = 0, maxCost: Double = 0) {
        self.maxTokens = maxTokens
        self.maxCost = maxCost
    }

    /// The budget `attributes` carry: none where a key is absent or its value is not a
    /// non-negative number.
    public init(attributes: [Attribute]) {
        maxTokens = attributes[key: Self.maxTokensKey].flatMap { Int($0) }.map { max(0, $0) } ?? 0
        maxCost = attributes[key: Self.maxCostKey].flatMap { Double($0) }.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil } ?? 0
    }

    /// True when the task sets no ceiling of its own.
    public var isEmpty: Bool { maxTokens == 0 && maxCost == 0 }

    /// The attributes for this budget, in key order; a ceiling of 0 has none.
    public var attributes: [Attribute] {
        var attributes: [Attribute] = []
        if maxCost > 0 { attributes.append(Attribute(Self.maxCostKey, String(describing: maxCost))) }
        if maxTokens > 0 { attributes.append(Attribute(Self.maxTokensKey, String(maxTokens))) }
        return attributes
    }
}
