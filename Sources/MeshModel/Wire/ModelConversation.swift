import Foundation

/// What one call sends: the system prompt and the turns so far (the task, then for a repair
/// the model's previous answer and the complaint about it).
public struct ModelConversation: Sendable, Hashable {
    public enum Speaker: String, Sendable, Hashable {
        case user
        case assistant
    }

    public struct Turn: Sendable, Hashable {
        public var speaker: Speaker
        public var text: String

        public init(_ speaker: Speaker, _ text: String) {
            self.speaker = speaker
            self.text = text
        }
    }

    public var system: String
    public var turns: [Turn]

    public init(system: String, turns: [Turn]) {
        self.system = system
        self.turns = turns
    }

    /// Every text the conversation sends, for the egress guard.
    public var texts: [String] { [system] + turns.map(\.text) }

    /// The repair turn after an unusable answer: the model sees its own (masked) answer and
    /// exactly what was wrong with it.
    public mutating func repair(answer: String, problem: String) {
        turns.append(Turn(.assistant, answer))
        turns.append(Turn(.user, "Your answer could not be used: \(problem). Answer again with only the complete JSON object."))
    }
}

/// An HTTP request to a model endpoint, before credentials are attached: what the transcript
/// records and what the egress guard has approved.
public struct ModelRequest: Sendable {
    /// Path appended to the endpoint URL, e.g. `/chat/completions`.
    public var path: String
    /// Headers other than credentials.
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(path: String, headers: [(String, String)], body: [UInt8]) {
        self.path = path
        self.headers = headers
        self.body = body
    }
}

/// What a model answered, read from a 2xx response body.
public struct ModelReply: Sendable, Hashable {
    /// The answer text (for a tool call: its arguments as JSON).
    public var text: String
    public var finishReason: String
    public var promptTokens: Int
    public var completionTokens: Int

    public init(text: String, finishReason: String, promptTokens: Int, completionTokens: Int) {
        self.text = text
        self.finishReason = finishReason
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }
}

/// A 2xx response whose body is not what the flavour promises.
public struct ModelReplyError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Builds requests and reads replies of one API flavour. Pure: no I/O, no credentials.
public protocol ModelWireFormat: Sendable {
    /// The request for `conversation`; `schema` asks for a structured answer (JSON schema
    /// mode, a forced tool call), `nil` for plain text (a fenced block).
    func request(_ conversation: ModelConversation, schema: AnswerSchema?, definition: AgentDefinition) -> ModelRequest
    func reply(_ body: [UInt8]) throws -> ModelReply
    /// The header carrying the API key and its value for `key`.
    func credentialHeader(_ key: String) -> (String, String)
}

extension ModelFlavour {
    /// The wire format of this flavour.
    public var wireFormat: any ModelWireFormat {
        switch self {
        case .openAIChat: OpenAIChatFormat()
        case .anthropicMessages: AnthropicMessagesFormat()
        }
    }
}

/// A structured answer asked of the model: a name and a JSON schema (text, so the value is
/// `Sendable` and can come from a file in Rules/).
public struct AnswerSchema: Sendable, Hashable {
    public var name: String
    public var json: String

    public init(name: String, json: String) {
        self.name = name
        self.json = json
    }

}
