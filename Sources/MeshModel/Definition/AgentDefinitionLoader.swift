import Foundation
import MeshRuleFiles
import Yams

/// Reads `Agents/<role>.yaml` strictly: unknown fields, wrong types and unknown names are
/// errors pointing at file, line and field, like review rules and policy packs.
public enum AgentDefinitionLoader {
    static let topKeys: Set<String> = [
        "agent_version", "description", "role", "endpoint", "model", "temperature", "max_tokens", "timeouts", "retries",
        "prompts", "output", "budget", "pricing",
    ]
    static let endpointKeys: Set<String> = [
        "name", "url", "flavour", "credentials", "phi", "max_concurrency", "failure_threshold", "cool_down",
    ]

    /// Loads the definition at `path`.
    public static func load(path: String) throws -> AgentDefinition {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw RuleFileError(file: path, line: 0, message: "cannot read agent definition as UTF-8")
        }
        return try parse(text, file: path)
    }

    /// Parses definition text; `file` names it in errors.
    public static func parse(_ yaml: String, file: String) throws -> AgentDefinition {
        let fields = YAMLFields(file: file)
        let root = try fields.compose(yaml, empty: "empty agent definition")
        let top = try fields.mapping(root, field: nil)
        try fields.checkKeys(top, allowed: topKeys, at: root)
        let version = try fields.requiredString(top, "agent_version", in: root)
        guard version == "1" else { throw fields.error(top["agent_version"], field: "agent_version", "expected 1, got \"\(version)\"") }
        let role = try nonEmpty(fields, top, "role", in: root)
        guard let endpointNode = top["endpoint"] else { throw fields.error(root, field: "endpoint", "missing required field") }
        let endpoint = try self.endpoint(endpointNode, fields: fields)
        let model = try nonEmpty(fields, top, "model", in: root)

        let timeouts = try section(fields, top, "timeouts", allowed: ["connect", "request", "task"]).map { map in
            let standard = ModelTimeouts()
            return ModelTimeouts(connect: try fields.duration(map, "connect", default: standard.connect),
                                 request: try fields.duration(map, "request", default: standard.request),
                                 task: try fields.duration(map, "task", default: standard.task))
        } ?? ModelTimeouts()
        let retries = try section(fields, top, "retries", allowed: ["max_attempts", "base_delay", "max_delay"]).map { map in
            let standard = ModelRetryPolicy()
            return ModelRetryPolicy(maxAttempts: try fields.positiveInt(map, "max_attempts", default: standard.maxAttempts),
                                    baseDelay: try fields.duration(map, "base_delay", default: standard.baseDelay),
                                    maxDelay: try fields.duration(map, "max_delay", default: standard.maxDelay))
        } ?? ModelRetryPolicy()
        let prompts = try section(fields, top, "prompts", allowed: ["system", "task"]).map { map in
            let standard = PromptTemplates()
            return PromptTemplates(system: try fields.optionalString(map, "system") ?? standard.system,
                                   task: try fields.optionalString(map, "task") ?? standard.task)
        } ?? PromptTemplates()
        for placeholder in PromptRenderer.unknownPlaceholders(in: prompts.system + prompts.task) {
            throw fields.error(top["prompts"], field: "prompts", "unknown placeholder {{\(placeholder)}}; known: \(PromptRenderer.placeholders.joined(separator: ", "))")
        }
        var output = OutputMode.structured
        if let node = top["output"] {
            let text = try fields.string(node, field: "output")
            guard let mode = OutputMode(rawValue: text) else {
                throw fields.error(node, field: "output", "expected structured or fenced, got \"\(text)\"")
            }
            output = mode
        }
        let budget = try section(fields, top, "budget", allowed: ["max_tokens", "max_cost"]).map { map in
            ModelBudget(maxTokens: try fields.positiveInt(map, "max_tokens", default: 0),
                        maxCost: try number(fields, map, "budget.max_cost", key: "max_cost", default: 0))
        } ?? ModelBudget()
        let pricing = try section(fields, top, "pricing", allowed: ["prompt_per_million", "completion_per_million"]).map { map in
            ModelPricing(promptPerMillion: try number(fields, map, "pricing.prompt_per_million", key: "prompt_per_million", default: 0),
                         completionPerMillion: try number(fields, map, "pricing.completion_per_million", key: "completion_per_million", default: 0))
        } ?? ModelPricing()
        let temperature = try number(fields, top, "temperature", key: "temperature", default: 0.2)
        guard temperature <= 2 else { throw fields.error(top["temperature"], field: "temperature", "expected a number from 0 to 2") }
        return AgentDefinition(
            source: "\(file):\(root.mark?.line ?? 1)", role: role, endpoint: endpoint, model: model, temperature: temperature,
            maxTokens: try fields.positiveInt(top, "max_tokens", default: 4096), timeouts: timeouts, retries: retries,
            prompts: prompts, output: output, budget: budget, pricing: pricing)
    }

    private static func endpoint(_ node: Node, fields: YAMLFields) throws -> ModelEndpoint {
        let map = try fields.mapping(node, field: "endpoint")
        try fields.checkKeys(map, allowed: endpointKeys, at: node)
        let url = try nonEmpty(fields, map, "url", in: node, path: "endpoint.url")
        guard let parsed = URL(string: url), parsed.scheme == "http" || parsed.scheme == "https", parsed.host != nil else {
            throw fields.error(map["url"], field: "endpoint.url", "expected an http or https URL, got \"\(url)\"")
        }
        guard parsed.user == nil, parsed.password == nil, parsed.query == nil else {
            throw fields.error(map["url"], field: "endpoint.url", "credentials and query strings do not belong in the URL; use endpoint.credentials")
        }
        let flavourText = try nonEmpty(fields, map, "flavour", in: node, path: "endpoint.flavour")
        guard let flavour = ModelFlavour(rawValue: flavourText) else {
            throw fields.error(map["flavour"], field: "endpoint.flavour",
                               "expected \(ModelFlavour.allCases.map(\.rawValue).joined(separator: " or ")), got \"\(flavourText)\"")
        }
        var credentials: CredentialReference?
        if let node = map["credentials"] {
            let text = try fields.string(node, field: "endpoint.credentials")
            guard let reference = CredentialReference(text) else {
                // The value may be a pasted key: it is not echoed.
                throw fields.error(node, field: "endpoint.credentials", "expected env:VARIABLE or file:PATH (the key itself never goes in this file)")
            }
            credentials = reference
        }
        var phi = PHIEgress.pseudonymise
        if let node = map["phi"] {
            let text = try fields.string(node, field: "endpoint.phi")
            guard let value = PHIEgress(rawValue: text) else {
                throw fields.error(node, field: "endpoint.phi", "expected allow or pseudonymise, got \"\(text)\"")
            }
            phi = value
        }
        return ModelEndpoint(
            name: try fields.optionalString(map, "name") ?? (parsed.host ?? url), url: url, flavour: flavour,
            credentials: credentials, phi: phi,
            maxConcurrency: try fields.positiveInt(map, "max_concurrency", default: 4),
            failureThreshold: try fields.positiveInt(map, "failure_threshold", default: 5),
            coolDown: try fields.duration(map, "cool_down", default: .seconds(30)))
    }

    /// The mapping under `key`, checked to hold only `allowed` keys; `nil` when absent.
    private static func section(_ fields: YAMLFields, _ top: Node.Mapping, _ key: String, allowed: Set<String>) throws -> Node.Mapping? {
        guard let node = top[key] else { return nil }
        let map = try fields.mapping(node, field: key)
        try fields.checkKeys(map, allowed: allowed, at: node)
        return map
    }

    private static func nonEmpty(_ fields: YAMLFields, _ map: Node.Mapping, _ key: String, in node: Node, path: String? = nil) throws -> String {
        guard let value = map[key] else { throw fields.error(node, field: path ?? key, "missing required field") }
        let text = try fields.string(value, field: path ?? key)
        guard !text.isEmpty else { throw fields.error(value, field: path ?? key, "must not be empty") }
        return text
    }

    private static func number(_ fields: YAMLFields, _ map: Node.Mapping, _ path: String, key: String, default value: Double) throws -> Double {
        guard let node = map[key] else { return value }
        guard let number = node.scalar.flatMap({ Double($0.string) }), number >= 0, number.isFinite else {
            throw fields.error(node, field: path, "expected a number, at least 0")
        }
        return number
    }
}
