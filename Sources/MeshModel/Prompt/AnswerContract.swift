import Foundation
import MeshAgentHandlers

/// The structured answer every model-backed agent gives: the handler contract's result
/// object (`summary`, `artifacts`, `attributes`), so a model answer and an external handler's
/// stdout are read by the same decoder.
public enum AnswerContract {
    /// The answer's JSON schema (OpenAI `json_schema`, the Anthropic tool's input schema).
    public static let schema = AnswerSchema(name: "submit_result", json: """
        {"type":"object","additionalProperties":false,"required":["summary","artifacts"],"properties":{
        "summary":{"type":"string","description":"One paragraph: what was done."},
        "artifacts":{"type":"array","items":{"type":"object","additionalProperties":false,
        "required":["name","media_type","content"],"properties":{
        "name":{"type":"string","description":"Relative file path, e.g. Sources/App/Lookup.swift"},
        "media_type":{"type":"string"},"content":{"type":"string","description":"The whole file."}}}},
        "attributes":{"type":"object","additionalProperties":{"type":"string"},
        "description":"String key/values, e.g. requirement_ids: SRS-012,SRS-013."}}}
        """)

    /// What the system prompt says about the answer's shape.
    static func instructions(for output: OutputMode) -> String {
        let shape = """
            Answer with one JSON object: {"summary": string, "artifacts": [{"name": relative path, \
            "media_type": string, "content": whole file as text}], "attributes": {string: string}}.
            """
        switch output {
        case .structured: return shape
        case .fenced: return shape + " Put it in a fenced ```json block and write nothing else."
        }
    }

    /// The result in a model's answer text: the whole text, else the first fenced block,
    /// else the outermost braces. Errors say what was wrong, for the repair turn.
    public static func decode(_ text: String) throws -> HandlerOutcome {
        let candidate = extractJSON(text)
        do {
            return try HandlerResultDecoder.decode(Array(candidate.utf8))
        } catch let error as HandlerResultError {
            throw AnswerError(message: error.message.replacingOccurrences(of: "handler printed", with: "the answer is"))
        }
    }

    static func extractJSON(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{") { return trimmed }
        if let fence = trimmed.range(of: "```") {
            var body = trimmed[fence.upperBound...]
            if let newline = body.firstIndex(of: "\n") { body = body[body.index(after: newline)...] }
            if let end = body.range(of: "```") { return String(body[..<end.lowerBound]) }
        }
        if let open = trimmed.firstIndex(of: "{"), let close = trimmed.lastIndex(of: "}"), open < close {
            return String(trimmed[open...close])
        }
        return trimmed
    }
}

/// A model answer that is not a usable result; the message is quoted in the repair turn.
public struct AnswerError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
