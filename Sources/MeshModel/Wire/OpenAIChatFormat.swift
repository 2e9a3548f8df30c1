import Foundation

/// OpenAI Chat Completions (`POST {url}/chat/completions`), also spoken by Azure OpenAI,
/// vLLM, Ollama, llama.cpp server, LM Studio and LiteLLM.
public struct OpenAIChatFormat: ModelWireFormat {
    public init() {}

    public func request(_ conversation: ModelConversation, schema: AnswerSchema?, definition: AgentDefinition) -> ModelRequest {
        var messages: [[String: Any]] = [["role": "system", "content": conversation.system]]
        messages += conversation.turns.map { ["role": $0.speaker.rawValue, "content": $0.text] }
        var body: [String: Any] = [
            "model": definition.model, "messages": messages,
            "temperature": definition.temperature, "max_tokens": definition.maxTokens,
        ]
        if let schema {
            // Not `strict`: strict mode forbids free-form objects such as `attributes`.
            body["response_format"] = ["type": "json_schema", "json_schema": ["name": schema.name, "schema": JSONBody.Raw(text: schema.json)]]
        }
        return ModelRequest(path: "/chat/completions", headers: [("content-type", "application/json")], body: JSONBody.encode(body))
    }

    public func reply(_ body: [UInt8]) throws -> ModelReply {
        let root = try JSONBody.object(body, what: "chat completion")
        guard let choices = root["choices"] as? [[String: Any]], let first = choices.first,
              let message = first["message"] as? [String: Any] else {
            throw ModelReplyError(message: "chat completion reply has no choices[0].message")
        }
        let usage = root["usage"] as? [String: Any] ?? [:]
        return ModelReply(
            text: message["content"] as? String ?? "", finishReason: first["finish_reason"] as? String ?? "",
            promptTokens: JSONBody.int(usage["prompt_tokens"]), completionTokens: JSONBody.int(usage["completion_tokens"]))
    }

    public func credentialHeader(_ key: String) -> (String, String) { ("authorization", "Bearer \(key)") }
}
