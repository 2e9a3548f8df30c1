import MeshModel
import MeshRuleFiles
import XCTest

final class AgentDefinitionLoaderTests: XCTestCase {
    let valid = """
        agent_version: 1
        role: coding
        endpoint:
          name: local
          url: http://localhost:11434/v1
          flavour: openai-chat
          credentials: env:OPENAI_API_KEY
          phi: allow
          max_concurrency: 2
        model: llama3.1
        temperature: 0.1
        max_tokens: 2048
        timeouts: {request: 20s, task: 2m}
        retries: {max_attempts: 4, base_delay: 250ms, max_delay: 5s}
        output: fenced
        budget: {max_tokens: 30000, max_cost: 0.25}
        pricing: {prompt_per_million: 0.15, completion_per_million: 0.6}
        prompts:
          system: You are the {{role}} agent.
          task: "{{instructions}} {{inputs}} {{feedback}}"
        """

    func testAValidDefinitionLoads() throws {
        let definition = try AgentDefinitionLoader.parse(valid, file: "Agents/coding.yaml")
        XCTAssertEqual(definition.endpoint.flavour, .openAIChat)
        XCTAssertEqual(definition.endpoint.credentials, .environment("OPENAI_API_KEY"))
        XCTAssertEqual(definition.endpoint.phi, .allow)
        XCTAssertEqual(definition.endpoint.maxConcurrency, 2)
        XCTAssertEqual(definition.timeouts.request, .seconds(20))
        XCTAssertEqual(definition.retries.maxAttempts, 4)
        XCTAssertEqual(definition.output, .fenced)
        XCTAssertEqual(definition.budget, ModelBudget(maxTokens: 30000, maxCost: 0.25))
        XCTAssertEqual(definition.pricing.cost(promptTokens: 1_000_000, completionTokens: 0), 0.15, accuracy: 1e-9)
    }

    func testShippedAgentFilesLoad() throws {
        for role in ["coding", "documentation"] {
            let definition = try AgentDefinitionLoader.load(path: Fixtures.root + "/Agents/\(role).yaml")
            XCTAssertEqual(definition.role, role)
        }
    }

    func error(_ yaml: String) -> String {
        do {
            _ = try AgentDefinitionLoader.parse(yaml, file: "Agents/coding.yaml")
            return "no error"
        } catch { return "\(error)" }
    }

    func testErrorsPointAtFileLineAndField() {
        XCTAssertEqual(error(valid.replacingOccurrences(of: "flavour: openai-chat", with: "flavour: openai")),
                       "Agents/coding.yaml:6: field \"endpoint.flavour\": expected openai-chat or anthropic-messages, got \"openai\"")
        XCTAssertEqual(error(valid.replacingOccurrences(of: "max_tokens: 2048", with: "max_token: 2048")),
                       "Agents/coding.yaml:12: field \"max_token\": unknown field; allowed here: agent_version, budget, description, endpoint, max_tokens, model, output, pricing, prompts, retries, role, temperature, timeouts")
        XCTAssertEqual(error(valid.replacingOccurrences(of: "phi: allow", with: "phi: maybe")),
                       "Agents/coding.yaml:8: field \"endpoint.phi\": expected allow or pseudonymise, got \"maybe\"")
        XCTAssertTrue(error(valid.replacingOccurrences(of: "{{feedback}}", with: "{{findings}}")).contains("unknown placeholder {{findings}}"))
    }

    func testAPastedKeyIsRefusedWithoutBeingEchoed() {
        let message = error(valid.replacingOccurrences(of: "env:OPENAI_API_KEY", with: "sk-live-abcdef0123456789"))
        XCTAssertTrue(message.hasPrefix("Agents/coding.yaml:7: field \"endpoint.credentials\": expected env:VARIABLE or file:PATH"), message)
        XCTAssertFalse(message.contains("sk-live"), message)
    }

    func testCredentialErrorsNameTheReferenceOnly() {
        XCTAssertThrowsError(try CredentialReference.environment("NOPE_KEY").resolve(environment: [:])) { error in
            XCTAssertEqual("\(error)", "credentials env:NOPE_KEY: the variable is not set or empty")
        }
    }
}
