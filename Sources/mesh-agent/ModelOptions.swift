import ArgumentParser
import MeshModel

/// How `--handler model` finds its agent definition, and the overrides `meshctl up` and
/// `meshctl demo` pass so one flag set points every agent at the operator's model.
struct ModelOptions: ParsableArguments {
    @Option(name: .customLong("agent-file"), help: ArgumentHelp("Agent definition. Default: Agents/<role>.yaml.", valueName: "path"))
    var agentFile: String?
    @Option(name: .customLong("model-endpoint"), help: ArgumentHelp("Overrides the definition's endpoint URL.", valueName: "url"))
    var endpoint: String?
    @Option(name: .customLong("model"), help: ArgumentHelp("Overrides the definition's model.", valueName: "name"))
    var model: String?
    @Option(name: .customLong("model-flavour"), help: "Overrides the definition's API flavour: openai-chat or anthropic-messages.")
    var flavour: String?
    @Option(name: .customLong("model-api-key-env"), help: ArgumentHelp(
        "Environment variable holding the API key (overrides the definition's credentials).", valueName: "VAR"))
    var apiKeyEnv: String?
    @Option(name: .customLong("model-policies"), help: ArgumentHelp("Policy packs the egress guard applies.", valueName: "dir"))
    var policies = "Policies"

    func validate() throws {
        if let flavour, ModelFlavour(rawValue: flavour) == nil {
            throw ValidationError("--model-flavour must be \(ModelFlavour.allCases.map(\.rawValue).joined(separator: " or "))")
        }
    }

    /// The role's definition with the command-line overrides applied.
    func definition(role: String) throws -> AgentDefinition {
        var definition = try AgentDefinitionLoader.load(path: agentFile ?? "Agents/\(role).yaml")
        guard definition.role == role else {
            throw ValidationError("\(definition.source): the definition is for role \(definition.role), not \(role)")
        }
        if let endpoint {
            definition.endpoint.url = endpoint
            definition.endpoint.name = endpoint
        }
        if let model { definition.model = model }
        if let flavour, let value = ModelFlavour(rawValue: flavour) { definition.endpoint.flavour = value }
        if let apiKeyEnv { definition.endpoint.credentials = .environment(apiKeyEnv) }
        return definition
    }
}
