import MeshSigning
import MeshWire
import Yams

/// A task as read from the file, with the positions the graph checks need.
struct ParsedTask {
    var id: String?
    var idMark: Mark?
    var mark: Mark?
    var dependencies: [(name: String, mark: Mark?)] = []
    /// `nil` when a field was invalid (the problem is already recorded).
    var task: PlaybookTask?
}

/// Turns the text of one playbook file into a ``Playbook``, recording every problem with
/// its line and field. Structural checks across tasks live in ``PlaybookGraph``.
struct PlaybookParser {
    static let topFields = ["playbook", "version", "description", "tasks"]
    static let taskFields = [
        "id", "role", "instructions", "depends_on", "verdicts", "max_attempts", "risk", "safety_class", "approval",
        "assignment_timeout", "model_budget",
    ]
    static let approvalFields = ["when_risk_at_least", "when_finding_at_least", "deadline"]
    static let modelBudgetFields = ["max_tokens", "max_cost"]
    static let severityNames: [String: Severity] = [
        "info": .info, "low": .low, "medium": .medium, "high": .high, "critical": .critical,
    ]
    static let verdictNames: [String: VerdictKind] = ["review": .review, "compliance": .compliance, "human": .human]
    /// Upper bound on `max_attempts`; more rework rounds than this is a runaway loop.
    static let attemptCeiling = 10

    let issues: IssueList
    /// The agent roles of the catalog (`Catalog.agentRoles`) a task may be addressed to.
    let agentRoles: [String]

    /// Parses `bytes`; returns `nil` when the file is unusable (problems are in `issues`).
    func parse(bytes: [UInt8]) -> Playbook? {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            issues.add(nil, "playbook", "the file is not UTF-8 text; save it as UTF-8")
            return nil
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            issues.add(Self.mark(of: error), "playbook", "not valid YAML: \(Self.problem(of: error))")
            return nil
        } catch {
            issues.add(nil, "playbook", "not valid YAML: \(error)")
            return nil
        }
        guard let mapping = root?.mapping else {
            issues.add(root?.mark, "playbook", "expected a map starting with `playbook: <name>`")
            return nil
        }
        let fields = MappingFields(mapping, known: Self.topFields, subject: "playbook", issues: issues)
        let name = requiredText(fields, "playbook", subject: "playbook", example: "feature")
        if let name, !Self.isIdentifier(name) {
            issues.add(fields["playbook"]?.mark, "playbook", field: "playbook",
                       "name \"\(name)\" may only use letters, digits, '-', '_' and '.'")
        }
        let version = integer(fields, "version", subject: "playbook", range: 1...Int(Int32.max), default: nil)
        let description = fields["description"]?.nonEmptyText ?? ""
        let parsedTasks = tasks(fields)
        PlaybookGraph(issues: issues).check(parsedTasks)
        guard let name, let version else { return nil }
        let built = parsedTasks.compactMap(\.task)
        guard built.count == parsedTasks.count, !built.isEmpty else { return nil }
        return Playbook(name: name, version: version, description: description, tasks: built,
                        hash: SHA256Digest.hex(bytes), file: issues.file)
    }

    // MARK: Tasks

    private func tasks(_ fields: MappingFields) -> [ParsedTask] {
        guard let node = fields["tasks"] else {
            issues.add(fields.mark, "playbook", field: "tasks", "missing required field; add a list of tasks")
            return []
        }
        guard let items = node.sequence, !items.isEmpty else {
            issues.add(node.mark, "playbook", field: "tasks", "expected a non-empty list of tasks, found \(node.kindDescription)")
            return []
        }
        return items.enumerated().map { index, item in task(item, number: index + 1) }
    }

    private func task(_ node: Node, number: Int) -> ParsedTask {
        var parsed = ParsedTask(mark: node.mark)
        guard let mapping = node.mapping else {
            issues.add(node.mark, "task #\(number)", "expected a map with id, role and instructions, found \(node.kindDescription)")
            return parsed
        }
        let id = mapping["id"]?.nonEmptyText
        let subject = id.map { "task \"\($0)\"" } ?? "task #\(number)"
        let fields = MappingFields(mapping, known: Self.taskFields, subject: subject, issues: issues)
        parsed.id = requiredText(fields, "id", subject: subject, example: "implement")
        parsed.idMark = fields["id"]?.mark
        if let id = parsed.id, !Self.isIdentifier(id) {
            issues.add(parsed.idMark, subject, field: "id", "\"\(id)\" may only use letters, digits, '-', '_' and '.'")
        }
        parsed.dependencies = dependencies(fields, subject: subject)
        let role = self.role(fields, subject: subject)
        let instructions = self.instructions(fields, subject: subject)
        let verdicts = self.verdicts(fields, subject: subject)
        let attempts = integer(fields, "max_attempts", subject: subject, range: 1...Self.attemptCeiling, default: 3)
        let risk = named(fields["risk"], field: "risk", subject: subject, table: TaskClassification.riskClassNames) ?? (fields["risk"] == nil ? .medium : nil)
        let safetyClass = self.safetyClass(fields, subject: subject, verdicts: verdicts)
        let approval = self.approval(fields, subject: subject, verdicts: verdicts)
        let timeout = assignmentTimeout(fields, subject: subject)
        let modelBudget = self.modelBudget(fields, subject: subject)
        if let id = parsed.id, let role, let instructions, let verdicts, let attempts, let risk, let safetyClass, approval.ok,
           let timeout, let modelBudget {
            parsed.task = PlaybookTask(
                id: id, role: role, instructions: instructions, dependsOn: parsed.dependencies.map(\.name),
                requiredVerdicts: verdicts, maxAttempts: UInt32(attempts), riskClass: risk, safetyClass: safetyClass,
                approval: approval.policy, assignmentTimeoutMicros: timeout, modelBudget: modelBudget)
        }
        return parsed
    }

    /// `assignment_timeout: 15m`: how long an attempt may take to be decided; the default
    /// when absent.
    private func assignmentTimeout(_ fields: MappingFields, subject: String) -> Int64? {
        guard let node = fields["assignment_timeout"] else { return PlaybookTask.defaultAssignmentTimeoutMicros }
        guard let text = node.nonEmptyText, let micros = PlaybookDuration.micros(text), micros >= 1_000_000 else {
            issues.add(node.mark, subject, field: "assignment_timeout",
                       "bad duration \(node.kindDescription); write e.g. 30s, 15m or 2h (units s, m, h, d; at least 1s, at most a year)")
            return nil
        }
        return micros
    }

    /// `model_budget: {max_tokens: 20000, max_cost: 0.5}`: the task's own ceilings for a
    /// model-backed agent; empty when absent, `nil` when invalid (problems recorded).
    private func modelBudget(_ fields: MappingFields, subject: String) -> TaskModelBudget? {
        guard let node = fields["model_budget"] else { return TaskModelBudget() }
        guard let mapping = node.mapping else {
            issues.add(node.mark, subject, field: "model_budget",
                       "expected a map such as {max_tokens: 20000, max_cost: 0.5}, found \(node.kindDescription)")
            return nil
        }
        let budget = MappingFields(mapping, known: Self.modelBudgetFields, subject: subject, fieldPrefix: "model_budget.", issues: issues)
        let tokens = integer(budget, "max_tokens", subject: subject, range: 1...Int(Int32.max), default: 0, field: "model_budget.max_tokens")
        var cost: Double? = 0
        if let costNode = budget["max_cost"] {
            cost = costNode.scalar.flatMap { $0.style == .plain ? Double($0.string) : nil }.flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
            if cost == nil {
                issues.add(costNode.mark, subject, field: "model_budget.max_cost",
                           "expected a number greater than 0 such as 0.5, found \(costNode.kindDescription)")
            }
        }
        guard let tokens, let cost else { return nil }
        if tokens == 0, cost == 0 {
            issues.add(node.mark, subject, field: "model_budget", "sets no ceiling; give max_tokens and/or max_cost")
            return nil
        }
        return TaskModelBudget(maxTokens: tokens, maxCost: cost)
    }

    /// `safety_class: A | B | C` (IEC 62304), unspecified when absent. Compliance judges
    /// traceability by it, so work with a safety class must have the compliance verdict.
    private func safetyClass(_ fields: MappingFields, subject: String, verdicts: [VerdictKind]?) -> SafetyClass? {
        guard let node = fields["safety_class"] else { return .unspecified }
        guard let safetyClass = named(node, field: "safety_class", subject: subject, table: TaskClassification.safetyClassNames) else {
            return nil
        }
        if let verdicts, !verdicts.contains(.compliance) {
            issues.add(node.mark, subject, field: "safety_class",
                       "work with an IEC 62304 safety class needs `compliance` in verdicts (traceability and review are judged there)")
            return nil
        }
        return safetyClass
    }

    private func role(_ fields: MappingFields, subject: String) -> AgentRole? {
        guard let text = requiredText(fields, "role", subject: subject, example: agentRoles.first ?? "<role>") else {
            return nil
        }
        guard agentRoles.contains(text) else {
            let known = agentRoles.isEmpty ? "; the catalog declares no agent role with a task topic"
                : Suggestion.hint(for: text, in: agentRoles)
            issues.add(fields["role"]?.mark, subject, field: "role", "unknown role \"\(text)\"" + known)
            return nil
        }
        return AgentRole(text)
    }

    private func instructions(_ fields: MappingFields, subject: String) -> String? {
        guard let text = requiredText(fields, "instructions", subject: subject, example: "Implement {{title}}") else {
            return nil
        }
        var valid = true
        for placeholder in InstructionTemplate.placeholders(in: text) {
            if let problem = InstructionTemplate.problem(with: placeholder.name) {
                issues.add(fields["instructions"]?.mark, subject, field: "instructions", problem)
                valid = false
            }
        }
        return valid ? text : nil
    }

    private func dependencies(_ fields: MappingFields, subject: String) -> [(name: String, mark: Mark?)] {
        guard let node = fields["depends_on"] else { return [] }
        guard let items = node.sequence else {
            issues.add(node.mark, subject, field: "depends_on", "expected a list of task ids, e.g. [design], found \(node.kindDescription)")
            return []
        }
        return items.compactMap { item in
            guard let name = item.nonEmptyText else {
                issues.add(item.mark, subject, field: "depends_on", "expected a task id, found \(item.kindDescription)")
                return nil
            }
            return (name, item.mark)
        }
    }

    private func verdicts(_ fields: MappingFields, subject: String) -> [VerdictKind]? {
        guard let node = fields["verdicts"] else { return [.review, .compliance] }
        guard let items = node.sequence else {
            issues.add(node.mark, subject, field: "verdicts", "expected a list such as [review, compliance], found \(node.kindDescription)")
            return nil
        }
        var kinds: [VerdictKind] = []
        for item in items {
            guard let kind = named(item, field: "verdicts", subject: subject, table: Self.verdictNames) else { return nil }
            if kinds.contains(kind) {
                issues.add(item.mark, subject, field: "verdicts", "\"\(item.nonEmptyText ?? "")\" listed twice")
                return nil
            }
            kinds.append(kind)
        }
        return kinds
    }

    /// `ok` is false when the block is invalid (problems recorded); `policy` is `nil` when absent.
    private func approval(_ fields: MappingFields, subject: String, verdicts: [VerdictKind]?) -> (ok: Bool, policy: ApprovalPolicy?) {
        guard let node = fields["approval"] else { return (true, nil) }
        guard let mapping = node.mapping else {
            issues.add(node.mark, subject, field: "approval", "expected a map such as {when_risk_at_least: high, deadline: 2h}, found \(node.kindDescription)")
            return (false, nil)
        }
        let approval = MappingFields(mapping, known: Self.approvalFields, subject: subject, fieldPrefix: "approval.", issues: issues)
        var valid = true
        var policy = ApprovalPolicy()
        if let riskNode = approval["when_risk_at_least"] {
            policy.riskAtLeast = named(riskNode, field: "approval.when_risk_at_least", subject: subject, table: TaskClassification.riskClassNames)
            valid = valid && policy.riskAtLeast != nil
        }
        if let severityNode = approval["when_finding_at_least"] {
            policy.findingSeverityAtLeast = named(severityNode, field: "approval.when_finding_at_least", subject: subject,
                                                  table: Self.severityNames)
            valid = valid && policy.findingSeverityAtLeast != nil
        }
        if let deadlineNode = approval["deadline"] {
            if let text = deadlineNode.nonEmptyText, let micros = PlaybookDuration.micros(text) {
                policy.deadlineMicros = micros
            } else {
                issues.add(deadlineNode.mark, subject, field: "approval.deadline",
                           "bad duration \(deadlineNode.kindDescription); write e.g. 30m, 2h, 1h30m or 7d (units s, m, h, d; at most a year)")
                valid = false
            }
        }
        // `human` always asks; compliance asks when one of its rules requires an e-signature
        // (`require_approval`), for which the block then sets the deadline.
        let someoneMayAsk = verdicts.map { $0.contains(.human) || $0.contains(.compliance) } ?? true
        if valid, policy.riskAtLeast == nil, policy.findingSeverityAtLeast == nil, !someoneMayAsk {
            issues.add(node.mark, subject, field: "approval",
                       "never requires an approval; add when_risk_at_least and/or when_finding_at_least, or list `human` "
                       + "(or `compliance`, whose rules may require one) in verdicts")
            valid = false
        }
        return valid ? (true, policy) : (false, nil)
    }

    // MARK: Scalars

    private func requiredText(_ fields: MappingFields, _ name: String, subject: String, example: String) -> String? {
        guard let node = fields[name] else {
            issues.add(fields.mark, subject, field: name, "missing required field; add `\(name): \(example)`")
            return nil
        }
        guard let text = node.nonEmptyText else {
            issues.add(node.mark, subject, field: name, "expected text such as `\(example)`, found \(node.kindDescription)")
            return nil
        }
        return text
    }

    /// An integer in `range`; `default` when absent (a `nil` default makes the field required).
    private func integer(_ fields: MappingFields, _ name: String, subject: String, range: ClosedRange<Int>, default fallback: Int?,
                         field: String? = nil) -> Int? {
        let field = field ?? name
        guard let node = fields[name] else {
            if fallback == nil { issues.add(fields.mark, subject, field: field, "missing required field; add `\(name): 1`") }
            return fallback
        }
        guard let scalar = node.scalar, scalar.style == .plain, let value = Int(scalar.string) else {
            issues.add(node.mark, subject, field: field, "expected a whole number, found \(node.kindDescription)")
            return nil
        }
        guard range.contains(value) else {
            issues.add(node.mark, subject, field: field, "\(value) is out of range \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return value
    }

    /// A value from a fixed vocabulary (`risk: high`, a verdict kind, a severity).
    private func named<Value>(_ node: Node?, field: String, subject: String, table: [String: Value]) -> Value? {
        guard let node else { return nil }
        let names = table.keys.sorted()
        guard let text = node.nonEmptyText else {
            issues.add(node.mark, subject, field: field, "expected one of \(names.joined(separator: ", ")), found \(node.kindDescription)")
            return nil
        }
        guard let value = table[text] else {
            issues.add(node.mark, subject, field: field, "unknown value \"\(text)\"" + Suggestion.hint(for: text, in: names))
            return nil
        }
        return value
    }

    static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_.".unicodeScalars.contains(scalar))
        }
    }

    // MARK: YAML syntax errors

    private static func mark(of error: YamlError) -> Mark? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark
        default: return nil
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
        default: return "\(error)"
        }
    }
}
