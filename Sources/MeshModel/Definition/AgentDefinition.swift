import MeshWire

/// A model-backed agent, as declared in `Agents/<role>.yaml`: which endpoint and model it
/// calls, how it prompts, what it may spend and what may leave the process.
public struct AgentDefinition: Sendable, Hashable {
    /// `file:line` where the definition was declared, for operators.
    public var source: String
    public var role: String
    public var endpoint: ModelEndpoint
    public var model: String
    public var temperature: Double
    /// Completion tokens asked for per call.
    public var maxTokens: Int
    public var timeouts: ModelTimeouts
    public var retries: ModelRetryPolicy
    public var prompts: PromptTemplates
    public var output: OutputMode
    public var budget: ModelBudget
    public var pricing: ModelPricing

    public init(source: String = "", role: String, endpoint: ModelEndpoint, model: String, temperature: Double = 0.2,
                maxTokens: Int = 4096, timeouts: ModelTimeouts = ModelTimeouts(), retries: ModelRetryPolicy = ModelRetryPolicy(),
                prompts: PromptTemplates = PromptTemplates(), output: OutputMode = .structured,
                budget: ModelBudget = ModelBudget(), pricing: ModelPricing = ModelPricing()) {
        self.source = source
        self.role = role
        self.endpoint = endpoint
        self.model = model
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.timeouts = timeouts
        self.retries = retries
        self.prompts = prompts
        self.output = output
        self.budget = budget
        self.pricing = pricing
    }
}

/// The two wire protocols that together cover hosted and self-hosted models.
public enum ModelFlavour: String, Sendable, Hashable, CaseIterable {
    /// OpenAI Chat Completions: OpenAI, Azure OpenAI, vLLM, Ollama, llama.cpp, LM Studio, LiteLLM.
    case openAIChat = "openai-chat"
    /// Anthropic Messages.
    case anthropicMessages = "anthropic-messages"
}

/// What a model endpoint may receive.
public enum PHIEgress: String, Sendable, Hashable {
    /// Sent as is: only for endpoints covered by a business associate agreement.
    case allow
    /// PHI replaced by stable placeholders before sending, restored in the answer.
    case pseudonymise
}

/// Where requests go and what the endpoint may see.
public struct ModelEndpoint: Sendable, Hashable {
    /// Name recorded with every call (never the URL's credentials: there are none in it).
    public var name: String
    /// Base URL, e.g. `https://api.openai.com/v1` or `http://localhost:11434/v1`.
    public var url: String
    public var flavour: ModelFlavour
    /// Where the API key comes from; `nil` for endpoints without authentication (Ollama).
    public var credentials: CredentialReference?
    public var phi: PHIEgress
    /// Requests in flight to this endpoint from one process.
    public var maxConcurrency: Int
    /// Consecutive failed calls that open the endpoint's circuit breaker.
    public var failureThreshold: Int
    public var coolDown: Duration

    public init(name: String, url: String, flavour: ModelFlavour, credentials: CredentialReference? = nil,
                phi: PHIEgress = .pseudonymise, maxConcurrency: Int = 4, failureThreshold: Int = 5,
                coolDown: Duration = .seconds(30)) {
        self.name = name
        self.url = url
        self.flavour = flavour
        self.credentials = credentials
        self.phi = phi
        self.maxConcurrency = maxConcurrency
        self.failureThreshold = failureThreshold
        self.coolDown = coolDown
    }
}

public struct ModelTimeouts: Sendable, Hashable {
    /// Establishing a connection. A refused connection is retried by the client's pool until
    /// this passes, so it is what a dead endpoint costs per attempt.
    public var connect: Duration
    /// One HTTP request, connect to last byte.
    public var request: Duration
    /// Every call of one task together (the task's deadline bounds it further).
    public var task: Duration

    public init(connect: Duration = .seconds(10), request: Duration = .seconds(60), task: Duration = .seconds(300)) {
        self.connect = connect
        self.request = request
        self.task = task
    }
}

/// Retries of one call on 429, 5xx, timeouts and refused connections.
public struct ModelRetryPolicy: Sendable, Hashable {
    /// Attempts per call, the first included.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(20)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }
}

/// Prompt templates; `{{role}}`, `{{attempt}}`, `{{instructions}}`, `{{inputs}}` and
/// `{{feedback}}` are replaced by the task's values.
public struct PromptTemplates: Sendable, Hashable {
    public var system: String
    public var task: String

    public init(system: String = PromptTemplates.defaultSystem, task: String = PromptTemplates.defaultTask) {
        self.system = system
        self.task = task
    }

    public static let defaultSystem = """
        You are the {{role}} agent of a software team. Do the task you are given completely and \
        answer with the result only.
        """
    public static let defaultTask = """
        Attempt {{attempt}}.

        ## Instructions
        {{instructions}}

        ## Inputs
        {{inputs}}

        ## Findings on the previous attempt
        {{feedback}}
        """
}

/// How the structured answer is asked for.
public enum OutputMode: String, Sendable, Hashable {
    /// The endpoint's structured mode: a JSON schema (`response_format`) for OpenAI, a forced
    /// tool call for Anthropic.
    case structured
    /// A fenced JSON block in plain text, for servers without a structured mode.
    case fenced
}

/// Ceilings per task, over all its calls (repair turns included); 0 means none.
public struct ModelBudget: Sendable, Hashable {
    public var maxTokens: Int
    public var maxCost: Double

    public init(maxTokens: Int = 0, maxCost: Double = 0) {
        self.maxTokens = maxTokens
        self.maxCost = maxCost
    }

    /// This budget with each ceiling the playbook task sets in its place.
    public func overridden(by task: TaskModelBudget) -> ModelBudget {
        ModelBudget(maxTokens: task.maxTokens > 0 ? task.maxTokens : maxTokens, maxCost: task.maxCost > 0 ? task.maxCost : maxCost)
    }
}

/// Price per million tokens, in the currency the operator reads costs in.
public struct ModelPricing: Sendable, Hashable {
    public var promptPerMillion: Double
    public var completionPerMillion: Double

    public init(promptPerMillion: Double = 0, completionPerMillion: Double = 0) {
        self.promptPerMillion = promptPerMillion
        self.completionPerMillion = completionPerMillion
    }

    public func cost(promptTokens: Int, completionTokens: Int) -> Double {
        (Double(promptTokens) * promptPerMillion + Double(completionTokens) * completionPerMillion) / 1_000_000
    }
}
