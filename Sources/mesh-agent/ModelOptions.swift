import ArgumentParser
import MeshCLI
import MeshModel

/// How `--handler model` finds its agent definition and policy packs, and the endpoint flags
/// applied over it (shared with `meshctl up`, `demo` and `bench pipeline`).
struct ModelOptions: ParsableArguments {
    @Option(name: .customLong("agent-file"), help: ArgumentHelp("Agent definition. Default: Agents/<role>.yaml.", valueName: "path"))
    var agentFile: String?
    @OptionGroup var endpoint: ModelEndpointOptions
    @Option(name: .customLong("model-policies"), help: ArgumentHelp("Policy packs the egress guard applies.", valueName: "dir"))
    var policies = "Policies"

    /// The role's definition with the command-line overrides applied.
    func definition(role: String) throws -> AgentDefinition {
        var definition = try AgentDefinitionLoader.load(path: agentFile ?? "Agents/\(role).yaml")
        guard definition.role == role else {
            throw ValidationError("\(definition.source): the definition is for role \(definition.role), not \(role)")
        }
        if let url = endpoint.endpoint {
            definition.endpoint.url = url
            definition.endpoint.name = url
        }
        if let model = endpoint.model { definition.model = model }
        if let flavour = endpoint.flavour, let value = ModelFlavour(rawValue: flavour) { definition.endpoint.flavour = value }
        if let variable = endpoint.apiKeyEnv { definition.endpoint.credentials = .environment(variable) }
        return definition
    }
}
