import Foundation
import MeshModel
import XCTest

/// Request bodies are written by the model module's own JSON writer: valid JSON, keys sorted,
/// every character a prompt may hold escaped, the schema embedded as JSON.
final class WireBodyTests: XCTestCase {
    func testARequestBodyIsValidSortedJSONWithEveryTextIntact() throws {
        let awkward = "quote \" backslash \\ newline \n tab \t bell \u{07} slash / naïve ✓ 😀"
        let conversation = ModelConversation(system: "system", turns: [.init(.user, awkward)])
        let definition = AgentDefinition(role: "coding", endpoint: ModelEndpoint(name: "e", url: "http://localhost/v1", flavour: .openAIChat),
                                         model: "m", temperature: 0.2, maxTokens: 64)
        let request = OpenAIChatFormat().request(conversation, schema: AnswerSchema(name: "submit", json: #"{"type":"object","additionalProperties":false}"#),
                                                 definition: definition)
        let text = String(decoding: request.body, as: UTF8.self)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any], text)
        let messages = try XCTUnwrap(object["messages"] as? [[String: Any]])
        XCTAssertEqual(messages.last?["content"] as? String, awkward)
        XCTAssertEqual(object["max_tokens"] as? Int, 64)
        XCTAssertEqual((object["temperature"] as? NSNumber)?.doubleValue, 0.2)
        let format = try XCTUnwrap(object["response_format"] as? [String: Any])
        let schema = try XCTUnwrap((format["json_schema"] as? [String: Any])?["schema"] as? [String: Any])
        XCTAssertEqual(schema["type"] as? String, "object")
        XCTAssertTrue(text.hasPrefix(#"{"max_tokens":64,"messages":[{"content":"system","role":"system"}"#), text)
        XCTAssertTrue(text.contains(#"\u0007 slash / naïve"#), text)
    }
}
