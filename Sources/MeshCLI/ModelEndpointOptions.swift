import ArgumentParser

/// The model endpoint flags: `mesh-agent --handler model` applies them over its agent
/// definition; `meshctl up`, `demo` and `bench pipeline` take the same flags and pass them on
/// to every agent they start (``agentArguments``), so one flag set points every agent at the
/// operator's model.
public struct ModelEndpointOptions: ParsableArguments {
    /// The API flavours a definition may name (MeshModel's `ModelFlavour` raw values).
    public static let flavours = ["openai-chat", "anthropic-messages"]

    @Option(name: .customLong("model-endpoint"), help: ArgumentHelp(
        "Model endpoint URL in place of the agent definition's, e.g. http://localhost:11434/v1 (Ollama). "
            + "meshctl: for every agent, and implies --handler model.", valueName: "url"))
    public var endpoint: String?
    @Option(name: .customLong("model"), help: ArgumentHelp("Model name in place of the definition's, e.g. llama3.1.", valueName: "name"))
    public var model: String?
    @Option(name: .customLong("model-flavour"), help: "API flavour in place of the definition's: openai-chat or anthropic-messages.")
    public var flavour: String?
    @Option(name: .customLong("model-api-key-env"), help: ArgumentHelp(
        "Environment variable holding the endpoint's API key, in place of the definition's credentials "
            + "(the key itself never goes on a command line).", valueName: "VAR"))
    public var apiKeyEnv: String?

    public init() {}

    public func validate() throws {
        if let flavour, !Self.flavours.contains(flavour) {
            throw ValidationError("--model-flavour must be \(Self.flavours.joined(separator: " or "))")
        }
    }

    /// The flags given, as arguments for a `mesh-agent` child.
    public var agentArguments: [String] {
        [("--model-endpoint", endpoint), ("--model", model), ("--model-flavour", flavour), ("--model-api-key-env", apiKeyEnv)]
            .flatMap { flag, value in value.map { [flag, $0] } ?? [] }
    }
}
