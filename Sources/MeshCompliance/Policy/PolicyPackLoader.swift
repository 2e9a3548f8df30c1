import Yams

/// Parses one YAML policy pack into a `PolicyPack`, validating every field strictly
/// (unknown keys are errors) and reporting errors with file and line from the YAML node marks.
public struct PolicyPackLoader: Sendable {
    public var registry: DetectorRegistry

    public init(registry: DetectorRegistry = .standard) { self.registry = registry }

    static let packKeys: Set<String> = ["id", "version", "description", "rules", "exclusions"]
    static let exclusionKeys: Set<String> = ["id", "description", "kind", "rules", "parameters"]
    static let ruleKeys: Set<String> = ["id", "description", "detector", "parameters", "severity", "on_match", "scope", "allow_list"]
    static let scopeKeys: Set<String> = ["roles", "media_types", "min_risk", "safety_classes"]

    /// Loads a pack from YAML text; `file` is used in error messages and `PolicyPack.source`.
    public func load(yaml: String, file: String) throws -> PolicyPack {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw PolicyLoadError(file: file, line: 1, message: "empty policy pack")
            }
            root = node
        } catch let e as PolicyLoadError {
            throw e
        } catch let e as YamlError {
            throw PolicyLoadError(file: file, line: Self.line(of: e), message: "YAML syntax error: \(Self.summary(e))")
        }
        var ctx = Context(file: file)
        let map = try ctx.mapping(root, field: nil)
        try ctx.checkKeys(map, allowed: Self.packKeys, node: root, prefix: nil)
        let id = try ctx.requiredString(map, "id", in: root)
        try ctx.checkIdentifier(id, field: "id", node: map["id"]!)
        let version = try ctx.requiredString(map, "version", in: root)
        let description = try ctx.optionalString(map, "description") ?? ""
        guard let rulesNode = map["rules"] else { throw ctx.error(root, field: "rules", "missing required field") }
        guard case .sequence(let seq) = rulesNode else { throw ctx.error(rulesNode, field: "rules", "expected a list of rules") }
        var rules: [PolicyRule] = []
        var seen: Set<String> = []
        for ruleNode in seq {
            let rule = try loadRule(ruleNode, packId: id, ctx: &ctx)
            if seen.contains(rule.id) {
                throw ctx.error(ruleNode, rule: rule.id, field: "id", "duplicate rule id in pack")
            }
            seen.insert(rule.id)
            rules.append(rule)
        }
        var exclusions: [ExclusionRule] = []
        if let exclusionsNode = map["exclusions"] {
            guard case .sequence(let list) = exclusionsNode else {
                throw ctx.error(exclusionsNode, field: "exclusions", "expected a list of exclusions")
            }
            for node in list {
                let exclusion = try loadExclusion(node, packId: id, ctx: &ctx)
                if seen.contains(exclusion.id) || exclusions.contains(where: { $0.id == exclusion.id }) {
                    throw ctx.error(node, rule: exclusion.id, field: "id", "duplicate rule or exclusion id in pack")
                }
                exclusions.append(exclusion)
            }
        }
        return PolicyPack(id: id, version: version, description: description, rules: rules, exclusions: exclusions, source: file,
                          canonicalForm: try Canonical.form(of: root, file: file))
    }

    private func loadExclusion(_ node: Node, packId: String, ctx: inout Context) throws -> ExclusionRule {
        let map = try ctx.mapping(node, field: "exclusions[]")
        let id = try ctx.requiredString(map, "id", in: node)
        try ctx.checkIdentifier(id, field: "id", node: map["id"]!)
        ctx.rule = id
        defer { ctx.rule = nil }
        try ctx.checkKeys(map, allowed: Self.exclusionKeys, node: node, prefix: nil)
        let description = try ctx.optionalString(map, "description") ?? ""
        let kind = try ctx.requiredString(map, "kind", in: node)
        let rules = try ctx.stringList(map, "rules")
        let (raw, paramNodes) = try parameters(map, ctx: ctx)
        var params = DetectorParameters(raw)
        do {
            let (matcher, classes) = try ExclusionMatcher.make(kind, &params)
            try params.finish()
            return ExclusionRule(id: id, packId: packId, description: description, kind: kind, classes: classes, rules: rules, matcher: matcher)
        } catch let e as DetectorConfigError {
            let at = e.parameter.flatMap { paramNodes[$0] } ?? map["parameters"] ?? map["kind"]!
            throw ctx.error(at, field: e.parameter.map { "parameters.\($0)" } ?? "kind", e.message)
        }
    }

    /// A rule's or exclusion's `parameters:` mapping, with the node of each for error lines.
    private func parameters(_ map: Node.Mapping, ctx: Context) throws -> ([String: ParameterValue], [String: Node]) {
        var raw: [String: ParameterValue] = [:]
        var paramNodes: [String: Node] = [:]
        if let pNode = map["parameters"] {
            let pm = try ctx.mapping(pNode, field: "parameters")
            for (k, v) in pm {
                guard let key = k.scalar?.string else { throw ctx.error(k, field: "parameters", "keys must be scalars") }
                paramNodes[key] = v
                switch v {
                case .scalar(let sc): raw[key] = .scalar(sc.string)
                case .sequence(let sq):
                    var items: [String] = []
                    for item in sq {
                        guard let str = item.scalar?.string else {
                            throw ctx.error(item, field: "parameters.\(key)", "list items must be scalars")
                        }
                        items.append(str)
                    }
                    raw[key] = .list(items)
                default: throw ctx.error(v, field: "parameters.\(key)", "expected a scalar or a list of scalars")
                }
            }
        }
        return (raw, paramNodes)
    }

    private func loadRule(_ node: Node, packId: String, ctx: inout Context) throws -> PolicyRule {
        let map = try ctx.mapping(node, field: "rules[]")
        let id = try ctx.requiredString(map, "id", in: node)
        try ctx.checkIdentifier(id, field: "id", node: map["id"]!)
        ctx.rule = id
        defer { ctx.rule = nil }
        try ctx.checkKeys(map, allowed: Self.ruleKeys, node: node, prefix: nil)
        let description = try ctx.optionalString(map, "description") ?? ""
        let detectorName = try ctx.requiredString(map, "detector", in: node)

        let severityText = try ctx.requiredString(map, "severity", in: node)
        guard let severity = Severity(rawValue: severityText) else {
            throw ctx.error(map["severity"]!, field: "severity",
                            "unknown severity \"\(severityText)\"; known: \(Severity.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let decisionText = try ctx.requiredString(map, "on_match", in: node)
        guard let outcome = RuleOutcome(rawValue: decisionText) else {
            throw ctx.error(map["on_match"]!, field: "on_match",
                            "expected \(RuleOutcome.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(decisionText)\"")
        }

        var scope = RuleScope()
        if let scopeNode = map["scope"] {
            let s = try ctx.mapping(scopeNode, field: "scope")
            try ctx.checkKeys(s, allowed: Self.scopeKeys, node: scopeNode, prefix: "scope")
            scope.roles = try ctx.stringList(s, "roles", prefix: "scope")
            scope.mediaTypes = try ctx.stringList(s, "media_types", prefix: "scope")
            if let r = try ctx.optionalString(s, "min_risk", prefix: "scope") {
                guard let risk = RiskClass(rawValue: r) else {
                    throw ctx.error(s["min_risk"]!, field: "scope.min_risk",
                                    "unknown risk class \"\(r)\"; known: \(RiskClass.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                scope.minRisk = risk
            }
            for c in try ctx.stringList(s, "safety_classes", prefix: "scope") {
                guard let sc = SafetyClass(rawValue: c.uppercased()) else {
                    throw ctx.error(s["safety_classes"]!, field: "scope.safety_classes", "unknown safety class \"\(c)\"; known: A, B, C")
                }
                scope.safetyClasses.append(sc)
            }
        }
        let allow = try ctx.stringList(map, "allow_list")

        let (raw, paramNodes) = try parameters(map, ctx: ctx)
        var params = DetectorParameters(raw)
        let detector: ConfiguredDetector
        do {
            guard let d = try registry.make(detectorName, &params) else {
                throw ctx.error(map["detector"]!, field: "detector",
                                "unknown detector \"\(detectorName)\"; known: \(registry.names.joined(separator: ", "))")
            }
            detector = d
        } catch let e as DetectorConfigError {
            let at = e.parameter.flatMap { paramNodes[$0] } ?? map["parameters"] ?? map["detector"]!
            throw ctx.error(at, field: e.parameter.map { "parameters.\($0)" } ?? "parameters", e.message)
        }
        if case .record = detector, !scope.mediaTypes.isEmpty {
            throw ctx.error(map["scope"]!, field: "scope.media_types", "record detector \"\(detectorName)\" does not scan artifacts")
        }
        var identifierClass: IdentifierClass?
        if case .text(let d) = detector { identifierClass = d.identifierClass }
        return PolicyRule(id: id, packId: packId, description: description, detectorName: detectorName, parameters: raw,
                          severity: severity, onMatch: outcome, scope: scope, allowList: AllowList(allow), detector: detector,
                          identifierClass: identifierClass)
    }

    static func line(of e: YamlError) -> Int {
        switch e {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return 1
        }
    }

    static func summary(_ e: YamlError) -> String {
        switch e {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            return problem
        default:
            return "\(e)"
        }
    }
}

/// Error-reporting helpers bound to one file and (optionally) one rule.
struct Context {
    let file: String
    var rule: String?

    init(file: String) { self.file = file }

    func error(_ node: Node, rule r: String? = nil, field: String?, _ message: String) -> PolicyLoadError {
        PolicyLoadError(file: file, line: node.mark?.line ?? 0, rule: r ?? rule, field: field, message: message)
    }

    func mapping(_ node: Node, field: String?) throws -> Node.Mapping {
        guard case .mapping(let m) = node else { throw error(node, field: field, "expected a mapping") }
        return m
    }

    func checkKeys(_ m: Node.Mapping, allowed: Set<String>, node: Node, prefix: String?) throws {
        for (k, _) in m {
            guard let key = k.scalar?.string else { throw error(k, field: prefix, "keys must be scalars") }
            if !allowed.contains(key) {
                let full = prefix.map { "\($0).\(key)" } ?? key
                throw error(k, field: full, "unknown field; allowed: \(allowed.sorted().joined(separator: ", "))")
            }
        }
    }

    func requiredString(_ m: Node.Mapping, _ key: String, in parent: Node) throws -> String {
        guard let v = m[key] else { throw error(parent, field: key, "missing required field") }
        guard case .scalar(let s) = v, !s.string.isEmpty else { throw error(v, field: key, "expected a non-empty string") }
        return s.string
    }

    func optionalString(_ m: Node.Mapping, _ key: String, prefix: String? = nil) throws -> String? {
        guard let v = m[key] else { return nil }
        guard case .scalar(let s) = v else { throw error(v, field: prefix.map { "\($0).\(key)" } ?? key, "expected a string") }
        return s.string
    }

    func stringList(_ m: Node.Mapping, _ key: String, prefix: String? = nil) throws -> [String] {
        let field = prefix.map { "\($0).\(key)" } ?? key
        guard let v = m[key] else { return [] }
        switch v {
        case .scalar(let s): return [s.string]
        case .sequence(let seq):
            return try seq.map { item in
                guard case .scalar(let s) = item else { throw error(item, field: field, "list items must be strings") }
                return s.string
            }
        default: throw error(v, field: field, "expected a list of strings")
        }
    }

    /// Ids: lowercase letters, digits, `-`, `_`, `.`; starting with a letter or digit.
    func checkIdentifier(_ id: String, field: String, node: Node) throws {
        let ok = id.utf8.enumerated().allSatisfy { k, c in
            ASCII.isLower(c) || ASCII.isDigit(c) || (k > 0 && (c == 0x2D || c == 0x5F || c == 0x2E))
        }
        if !ok { throw error(node, field: field, "invalid id \"\(id)\" (use lowercase letters, digits, '-', '_', '.')") }
    }
}
