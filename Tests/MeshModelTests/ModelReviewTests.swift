import Foundation
import MeshModel
import MeshReview
import MeshSigning
import MeshTestSupport
import MeshWire
import XCTest

/// `kind: model_review` rules with the shipped prompt and findings schema, against the fake.
final class ModelReviewTests: XCTestCase {
    var directory: TemporaryDirectory!

    override func setUpWithError() throws { directory = try TemporaryDirectory("agentmesh-model-review") }
    override func tearDown() { directory.remove() }

    /// A rule file with one `model_review` rule (its agent definition copied from Agents/).
    func writeRules(onFailure: String = "request_changes", prompt: String = "\(Fixtures.root)/Rules/model-review/prompt.md") throws -> URL {
        try FileManager.default.copyItem(atPath: "\(Fixtures.root)/Agents/reviewer.yaml",
                                         toPath: directory.url.appendingPathComponent("agent.yaml").path)
        let rules = directory.url.appendingPathComponent("review.yaml")
        try """
            rules_version: "test"
            rules:
              - id: summary.empty
                description: Every result explains what it did.
                kind: empty_summary
                severity: low
                on_match: request_changes
              - id: model.code-review
                description: A model reviews the code.
                kind: model_review
                roles: [coding]
                severity: medium
                on_match: request_changes
                agent: agent.yaml
                prompt: \(prompt)
                findings_schema: \(Fixtures.root)/Rules/model-review/findings.schema.json
                on_failure: \(onFailure)
            """.write(to: rules, atomically: true, encoding: .utf8)
        return rules
    }

    func engine(_ server: FakeModelServer, onFailure: String = "request_changes") throws -> (ReviewEngine, ModelReviewer) {
        let rules = try writeRules(onFailure: onFailure)
        let loaded = try ReviewRules.load(file: rules.path)
        guard case .modelReview(let spec) = loaded.rules[1].kind else { throw XCTSkip("not a model review") }
        XCTAssertEqual(spec.agentFile, directory.url.appendingPathComponent("agent.yaml").standardized.path)
        let reviewer = ModelReviewer(client: try ModelClient(definition: Fixtures.definition(server, retries: ModelRetryPolicy(maxAttempts: 1)),
                                                             policies: Fixtures.policies, environment: Fixtures.environment))
        return (ReviewEngine(rules: loaded, modelReviewers: ["model.code-review": reviewer]), reviewer)
    }

    let result = TaskResult(taskID: "t-1", planID: "p-1", state: .completed, summary: "added lookup",
                            artifacts: [Artifact(name: "Sources/App/Lookup.swift", mediaType: "text/x-swift", content: Array("func lookup() {}\n".utf8))],
                            agentID: "coding-1")

    func testModelFindingsAreMergedIntoTheVerdictAndNameTheModel() async throws {
        let server = try FakeModelServer(flavour: .openAIChat, defaultAnswer: FakeModelServer.json([
            "findings": [["rule_id": "no-error-handling", "severity": "high", "message": "lookup ignores a missing record", "location": "Sources/App/Lookup.swift:1"]],
        ]))
        defer { server.stop() }
        let (engine, reviewer) = try engine(server)
        let outcome = await engine.review(result: result, role: "coding")
        await reviewer.client.shutdown()
        XCTAssertEqual(outcome.decision, .requestChanges)
        XCTAssertEqual(outcome.decidedBy, ["model.code-review"])
        XCTAssertEqual(outcome.findings.map(\.ruleID), ["model.code-review/no-error-handling"])
        XCTAssertEqual(outcome.findings.first?.severity, .high)
        XCTAssertEqual(outcome.findings.first?.message, "lookup ignores a missing record (model fake-model@fake)")
        XCTAssertEqual(outcome.models, ["model.code-review=fake-model@fake"])
        // The model received the result and was asked for the rule's findings schema.
        let body = try XCTUnwrap(server.requests.first?.body)
        XCTAssertTrue(body.contains("submit_findings") && body.contains("func lookup()"), body)
        XCTAssertTrue(body.contains("senior reviewer"), "the rule's prompt is the system prompt")
    }

    func testNoFindingsApproveAndOtherRolesAreNotSent() async throws {
        let server = try FakeModelServer(flavour: .openAIChat, defaultAnswer: "{\"findings\": []}")
        defer { server.stop() }
        let (engine, reviewer) = try engine(server)
        let approved = await engine.review(result: result, role: "coding")
        XCTAssertEqual(approved.decision, .approve)
        let documentation = await engine.review(result: result, role: "documentation")
        XCTAssertEqual(documentation.models, [])
        await reviewer.client.shutdown()
        XCTAssertEqual(server.requestCount, 1)
    }

    func testAFailingModelDecidesAsOnFailureSays() async throws {
        let server = try FakeModelServer(flavour: .openAIChat)
        defer { server.stop() }
        server.respond { _ in .raw(status: 500, headers: [], body: "{}") }
        let (engine, reviewer) = try engine(server, onFailure: "reject")
        let outcome = await engine.review(result: result, role: "coding")
        await reviewer.client.shutdown()
        XCTAssertEqual(outcome.decision, .reject)
        XCTAssertEqual(outcome.findings.first?.message,
                       "model review \"model.code-review\" (model fake-model@fake) failed: model call to fake failed after 1 attempt: server error (HTTP 500)")
    }

    func testGarbageFromTheModelGetsARepairTurnThenIsAFailureFinding() async throws {
        let server = try FakeModelServer(flavour: .openAIChat, defaultAnswer: "looks good to me")
        defer { server.stop() }
        let (engine, reviewer) = try engine(server)
        let outcome = await engine.review(result: result, role: "coding")
        await reviewer.client.shutdown()
        XCTAssertEqual(outcome.decision, .requestChanges, "decided as on_failure says")
        XCTAssertEqual(server.requestCount, 2, "one repair turn, then no more")
        let message = try XCTUnwrap(outcome.findings.first?.message)
        XCTAssertTrue(message.hasPrefix("model review \"model.code-review\" (model fake-model@fake) failed: answer still invalid after a repair turn: invalid findings JSON"),
                      message)
        XCTAssertEqual(reviewer.client.metrics.errorCount("invalid_answer"), 2)
    }

    func testAnInvalidFindingsAnswerGetsOneRepairTurnQuotingTheProblem() async throws {
        let server = try FakeModelServer(flavour: .openAIChat, defaultAnswer: FakeModelServer.json([
            "findings": [["rule_id": "no-tests", "severity": "medium", "message": "lookup has no test"]],
        ]))
        defer { server.stop() }
        server.enqueue(.answer("{\"findings\": [{\"severity\": \"urgent\", \"message\": \"x\"}]}"))
        let (engine, reviewer) = try engine(server)
        let outcome = await engine.review(result: result, role: "coding")
        await reviewer.client.shutdown()
        XCTAssertEqual(server.requestCount, 2)
        let repair = FakeModelServer.prompt(of: server.requests[1])
        XCTAssertTrue(repair.contains("Your answer could not be used: unknown severity \"urgent\". Answer again with only the complete JSON object."),
                      repair)
        XCTAssertTrue(repair.contains("\"urgent\""), "the model sees its own answer")
        XCTAssertEqual(outcome.findings.map(\.ruleID), ["model.code-review/no-tests"])
        XCTAssertEqual(outcome.decision, .requestChanges)
        XCTAssertEqual(outcome.findings.first?.message, "lookup has no test (model fake-model@fake)")
    }

    func testTheReviewerTellsARepairedAnswerFromOneStillInvalid() async throws {
        let server = try FakeModelServer(flavour: .openAIChat, defaultAnswer: "[]")
        defer { server.stop() }
        let (_, reviewer) = try engine(server)
        let answer = await reviewer.answer(prompt: "review", result: "{}", schema: "{}") { $0 == "{\"findings\": []}" ? nil : "not the empty list" }
        await reviewer.client.shutdown()
        guard case .failure(let failure) = answer else { return XCTFail("expected a failure, got \(answer)") }
        XCTAssertEqual(failure, ModelReviewFailure(kind: .invalidAnswer, message: "answer still invalid after a repair turn: not the empty list"))
    }

    /// What the model reviews with decides verdicts as much as the YAML: the verdict's rules
    /// hash changes with the prompt, the schema or the agent definition, not only the YAML.
    func testTheRulesHashCoversThePromptAndTheAgentDefinition() throws {
        let rules = try writeRules()
        let original = try ReviewRules.load(file: rules.path).rulesHash
        XCTAssertNotEqual(original, SHA256Digest.hex(Array(try Data(contentsOf: rules))), "more than the YAML is hashed")
        let prompt = directory.url.appendingPathComponent("prompt.md")
        try (try String(contentsOfFile: "\(Fixtures.root)/Rules/model-review/prompt.md", encoding: .utf8) + "\nAlso approve everything.\n")
            .write(to: prompt, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: directory.url.appendingPathComponent("agent.yaml"))
        let reworded = try ReviewRules.load(file: try writeRules(prompt: prompt.path).path).rulesHash
        XCTAssertNotEqual(reworded, original, "a changed prompt changes the hash")
        try FileManager.default.removeItem(at: directory.url.appendingPathComponent("agent.yaml"))
        _ = try writeRules()
        try "model: other\n".write(to: directory.url.appendingPathComponent("agent.yaml"), atomically: true, encoding: .utf8)
        XCTAssertNotEqual(try ReviewRules.load(file: rules.path).rulesHash, original, "a changed agent definition changes the hash")
    }

    func testAMissingPromptFileIsALoadErrorWithFileLineAndField() throws {
        let rules = directory.url.appendingPathComponent("bad.yaml")
        try """
            rules_version: "test"
            rules:
              - id: model.code-review
                description: A model reviews the code.
                kind: model_review
                severity: medium
                on_match: request_changes
                agent: agent.yaml
                prompt: missing.md
                findings_schema: \(Fixtures.root)/Rules/model-review/findings.schema.json
            """.write(to: rules, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ReviewRules.load(file: rules.path)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(rules.path):9: rule \"model.code-review\": field \"prompt\": cannot read"), "\(error)")
        }
    }
}
