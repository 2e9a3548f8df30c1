import Foundation

/// Anthropic Messages (`POST {url}/messages`). The structured answer is a forced call of
/// one tool whose input schema is the answer contract.
public struct AnthropicMessagesFormat: ModelWireFormat {
    static let apiVersion = "2023-06-01"

    public init() {}

    public func request(_ conversation: ModelConversation, schema: AnswerSchema?, definition: AgentDefinition) -> ModelRequest {
        var body: [String: Any] = [
            "model": definition.model, "system": conversation.system,
            "messages": conversation.turns.map { ["role": $0.speaker.rawValue, "content": $0.text] },
            "temperature": definition.temperature, "max_tokens": definition.maxTokens,
        ]
        if let schema {
            body["tools"] = [["name": schema.name, "description": "Submit the answer.", "input_schema": JSONBody.Raw(text: schema.json)]]
            body["tool_choice"] = ["type": "tool", "name": schema.name]
        }
        return ModelRequest(
            path: "/messages", headers: [("content-type", "application/json"), ("anthropic-version", Self.apiVersion)],
            body: JSONBody.encode(body))
    }

    public func reply(_ body: [UInt8]) throws -> ModelReply {
        let root = try JSONBody.object(body, what: "messages")
        guard let content = root["content"] as? [[String: Any]] else {
            throw ModelReplyError(message: "messages reply has no content list")
        }
        // A tool call carries the answer as its input; otherwise the text blocks do (fenced JSON).
        let text: String
        if let call = content.first(where: { $0["type"] as? String == "tool_use" }), let input = call["input"] {
            let data = (try? JSONSerialization.data(withJSONObject: input, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            text = String(decoding: data, as: UTF8.self)
        } else {
            text = content.compactMap { $0["type"] as? String == "text" ? $0["text"] as? String : nil }.joined()
        }
        let usage = root["usage"] as? [String: Any] ?? [:]
        return ModelReply(
            text: text, finishReason: root["stop_reason"] as? String ?? "",
            promptTokens: JSONBody.int(usage["input_tokens"]), completionTokens: JSONBody.int(usage["output_tokens"]))
    }

    public func credentialHeader(_ key: String) -> (String, String) { ("x-api-key", key) }
}
