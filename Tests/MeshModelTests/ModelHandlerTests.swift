import MeshAgentHandlers
import MeshModel
import MeshTestSupport
import MeshWire
import XCTest

/// The model handler against a fake endpoint over real HTTP on loopback.
final class ModelHandlerTests: XCTestCase {
    let context = HandlerContext(correlationID: "obj-1", agentID: "coding-0")

    func run(_ server: FakeModelServer, _ definition: AgentDefinition, task: TaskAssigned = Fixtures.task(),
             budget: TaskModelBudget = TaskModelBudget()) async throws -> HandlerOutcome {
        let handler = try ModelHandler(definition: definition, policies: Fixtures.policies, environment: Fixtures.environment)
        var context = context
        context.modelBudget = budget
        let outcome = await handler.handle(task, context: context)
        await handler.shutdown()
        return outcome
    }

    func transcript(_ outcome: HandlerOutcome) -> String? {
        outcome.artifacts.first { $0.mediaType == ModelTranscript.mediaType }.map { String(decoding: $0.content, as: UTF8.self) }
    }

    func testOpenAIAnswerBecomesACompletedResultWithTranscript() async throws {
        let server = try FakeModelServer(flavour: .openAIChat, defaultAnswer: FakeModelServer.validAnswer(attributes: ["requirement_ids": "SRS-1"]))
        defer { server.stop() }
        server.requireCredential(Fixtures.apiKey)
        let outcome = try await run(server, Fixtures.definition(server))
        XCTAssertEqual(outcome.status, .completed, outcome.error)
        XCTAssertEqual(outcome.artifacts.map(\.name), ["Sources/App/Feature.swift", ModelTranscript.artifactName])
        XCTAssertEqual(outcome.attributes["requirement_ids"], "SRS-1")
        XCTAssertEqual(outcome.attributes["model.name"], "fake-model")
        XCTAssertEqual(outcome.attributes["model.prompt_tokens"], "100")
        XCTAssertEqual(outcome.attributes["model.cost"], "0.000200")
        XCTAssertEqual(server.problems, [])
        let body = try XCTUnwrap(server.requests.first?.body)
        XCTAssertTrue(body.contains("\"response_format\""), body)
        XCTAssertEqual(server.requests.first?.path, "/v1/chat/completions")
        let record = try XCTUnwrap(transcript(outcome))
        XCTAssertTrue(record.contains("\"request_sha256\"") && record.contains("Add a feature"), record)
        XCTAssertFalse(record.contains(Fixtures.apiKey))
        XCTAssertFalse(outcome.attributes.values.contains { $0.contains(Fixtures.apiKey) })
    }

    func testAnthropicToolCallAnswer() async throws {
        let server = try FakeModelServer(flavour: .anthropicMessages)
        defer { server.stop() }
        server.requireCredential(Fixtures.apiKey)
        let outcome = try await run(server, Fixtures.definition(server, flavour: .anthropicMessages))
        XCTAssertEqual(outcome.status, .completed, outcome.error)
        XCTAssertEqual(outcome.summary, "done")
        XCTAssertEqual(server.problems, [])
        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(request.path, "/v1/messages")
        XCTAssertEqual(request.header("anthropic-version"), "2023-06-01")
        XCTAssertTrue(request.body.contains("\"tool_choice\""), request.body)
    }

    func testAnthropicFencedTextAnswerIsRead() async throws {
        let server = try FakeModelServer(flavour: .anthropicMessages,
                                         defaultAnswer: "Here it is:\n```json\n\(FakeModelServer.validAnswer(summary: "fenced"))\n```\n")
        defer { server.stop() }
        let outcome = try await run(server, Fixtures.definition(server, flavour: .anthropicMessages))
        XCTAssertEqual(outcome.summary, "fenced", outcome.error)
    }

    func testMalformedAnswerGetsOneRepairTurnQuotingTheError() async throws {
        let server = try FakeModelServer(flavour: .openAIChat)
        defer { server.stop() }
        server.enqueue(.answer("{\"summary\": 42}"))
        let outcome = try await run(server, Fixtures.definition(server))
        XCTAssertEqual(outcome.status, .completed, outcome.error)
        XCTAssertEqual(server.requestCount, 2)
        let repair = FakeModelServer.prompt(of: server.requests[1])
        XCTAssertTrue(repair.contains("Your answer could not be used") && repair.contains("field \"summary\": expected a string"), repair)
    }

    func testRepeatedGarbageFailsWithTheReason() async throws {
        let server = try FakeModelServer(flavour: .openAIChat, defaultAnswer: "I cannot do that")
        defer { server.stop() }
        let outcome = try await run(server, Fixtures.definition(server))
        XCTAssertEqual(outcome.status, .failed)
        XCTAssertTrue(outcome.error.hasPrefix("model answer still invalid after a repair turn: the answer is invalid JSON at byte 0"), outcome.error)
        XCTAssertEqual(server.requestCount, 2)
        XCTAssertNotNil(transcript(outcome), "a failed task keeps its transcript")
    }

    func testRateLimitHonoursRetryAfterThenSucceeds() async throws {
        let server = try FakeModelServer(flavour: .openAIChat)
        defer { server.stop() }
        server.enqueue(.raw(status: 429, headers: [("retry-after", "1")], body: "{}"))
        let started = ContinuousClock.now
        let outcome = try await run(server, Fixtures.definition(server))
        XCTAssertEqual(outcome.status, .completed, outcome.error)
        XCTAssertGreaterThanOrEqual(started.duration(to: .now), .seconds(1), "Retry-After: 1 was not honoured")
        XCTAssertEqual(outcome.attributes["model.retries"], "1")
    }

    func testServerErrorsAreRetriedThenFailClearly() async throws {
        let server = try FakeModelServer(flavour: .openAIChat)
        defer { server.stop() }
        server.respond { _ in .raw(status: 500, headers: [], body: "{\"error\":\"boom\"}") }
        let outcome = try await run(server, Fixtures.definition(server))
        XCTAssertEqual(outcome.status, .failed)
        XCTAssertEqual(outcome.error, "model call to fake failed after 3 attempts: server error (HTTP 500)")
        XCTAssertEqual(server.requestCount, 3)
    }

    func testAHangPastTheTimeoutIsRetriedThenFails() async throws {
        let server = try FakeModelServer(flavour: .openAIChat)
        defer { server.stop() }
        server.respond { _ in .hang }
        let outcome = try await run(server, Fixtures.definition(
            server, retries: ModelRetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10)), requestTimeout: .milliseconds(300)))
        XCTAssertEqual(outcome.status, .failed)
        XCTAssertEqual(outcome.error, "model call to fake failed after 2 attempts: no answer within the request timeout")
        XCTAssertEqual(server.requestCount, 2)
    }

    func testAClosedConnectionIsRetried() async throws {
        let server = try FakeModelServer(flavour: .openAIChat)
        defer { server.stop() }
        server.enqueue(.close)
        let outcome = try await run(server, Fixtures.definition(server))
        XCTAssertEqual(outcome.status, .completed, outcome.error)
        XCTAssertEqual(server.requestCount, 2)
    }

    func testConnectionRefusedFailsClearly() async throws {
        let server = try FakeModelServer(flavour: .openAIChat)
        server.stop()  // Nothing listens on its port any more.
        let outcome = try await run(server, Fixtures.definition(server, retries: ModelRetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10))))
        XCTAssertEqual(outcome.status, .failed)
        XCTAssertTrue(outcome.error.hasPrefix("model call to fake failed after 2 attempts: connection failed:"), outcome.error)
        XCTAssertTrue(outcome.error.lowercased().contains("refused"), outcome.error)
    }

    func testBudgetExceededFailsTheTask() async throws {
        let server = try FakeModelServer(flavour: .openAIChat)
        defer { server.stop() }
        let outcome = try await run(server, Fixtures.definition(server, budget: ModelBudget(maxTokens: 120)))
        XCTAssertEqual(outcome.status, .failed)
        XCTAssertEqual(outcome.error, "budget exceeded: 150 tokens used, the task may use 120")
    }

    func testThePlaybookTasksBudgetReplacesTheDefinitions() async throws {
        let server = try FakeModelServer(flavour: .openAIChat)
        defer { server.stop() }
        // Each call costs 150 tokens and (100 × 1 + 50 × 2) / 1e6 = 0.0002.
        let lower = try await run(server, Fixtures.definition(server, budget: ModelBudget(maxTokens: 1_000)),
                                  budget: TaskModelBudget(maxTokens: 140))
        XCTAssertEqual(lower.error, "budget exceeded: 150 tokens used, the task may use 140")
        let cost = try await run(server, Fixtures.definition(server), budget: TaskModelBudget(maxCost: 0.0001))
        XCTAssertEqual(cost.error, "budget exceeded: cost 0.0002, the task may spend 0.0001")
        let higher = try await run(server, Fixtures.definition(server, budget: ModelBudget(maxTokens: 120)),
                                   budget: TaskModelBudget(maxTokens: 200))
        XCTAssertEqual(higher.status, .completed, higher.error)
        let tokensOnly = try await run(server, Fixtures.definition(server, budget: ModelBudget(maxCost: 0.0001)),
                                       budget: TaskModelBudget(maxTokens: 200))
        XCTAssertEqual(tokensOnly.error, "budget exceeded: cost 0.0002, the task may spend 0.0001", "a ceiling the task leaves unset stays")
    }

    func testCircuitBreakerOpensThenRecovers() async throws {
        let server = try FakeModelServer(flavour: .openAIChat)
        defer { server.stop() }
        server.enqueue(.raw(status: 500, headers: [], body: "{}"), .raw(status: 500, headers: [], body: "{}"))
        let definition = Fixtures.definition(server, retries: ModelRetryPolicy(maxAttempts: 1), failureThreshold: 2, coolDown: .milliseconds(500))
        let handler = try ModelHandler(definition: definition, policies: Fixtures.policies, environment: Fixtures.environment)
        for _ in 0..<2 {
            let failed = await handler.handle(Fixtures.task(), context: context)
            XCTAssertEqual(failed.error, "model call to fake failed after 1 attempt: server error (HTTP 500)")
        }
        let refused = await handler.handle(Fixtures.task(), context: context)
        XCTAssertTrue(refused.error.hasPrefix("circuit breaker open for endpoint fake"), refused.error)
        XCTAssertEqual(server.requestCount, 2, "an open breaker sends nothing")
        XCTAssertEqual(handler.metrics.errorCount("circuit_open"), 1)
        var recovered = refused
        try await eventually("the breaker lets a trial through after its cool-down") {
            recovered = await handler.handle(Fixtures.task(), context: context)
            return recovered.status == .completed
        }
        XCTAssertEqual(recovered.status, .completed)
        await handler.shutdown()
    }

    func testPHINeverReachesTheEndpointAndIsRestoredInTheArtifacts() async throws {
        let server = try FakeModelServer(flavour: .openAIChat)
        defer { server.stop() }
        server.forbid([Fixtures.ssn, Fixtures.patientName, Fixtures.mrn])
        // The fake model echoes the placeholders it was given into its artifact.
        server.respond { request in
            let prompt = FakeModelServer.prompt(of: request)
            let placeholders = ["[NAME-1]", "[SSN-1]", "[MRN-1]"].filter { prompt.contains($0) }
            return .answer(FakeModelServer.validAnswer(summary: "letter for [NAME-1]", artifactName: "letter.md",
                                                       content: "Patient " + placeholders.joined(separator: " ")))
        }
        let input = MeshWire.Artifact(name: "intake.txt", mediaType: "text/plain", content: Array(Fixtures.phiInput.utf8))
        let outcome = try await run(server, Fixtures.definition(server), task: Fixtures.task(inputs: [input]))
        XCTAssertEqual(outcome.status, .completed, outcome.error)
        XCTAssertEqual(server.problems, [])
        XCTAssertEqual(server.requestCount, 1)
        let letter = String(decoding: try XCTUnwrap(outcome.artifacts.first { $0.name == "letter.md" }).content, as: UTF8.self)
        XCTAssertEqual(letter, "Patient \(Fixtures.patientName) \(Fixtures.ssn) \(Fixtures.mrn)")
        XCTAssertEqual(outcome.summary, "letter for \(Fixtures.patientName)")
        XCTAssertEqual(outcome.attributes["egress.masked.ssn"], "1")
        XCTAssertEqual(outcome.attributes["egress.masked.name"], "1")
        XCTAssertEqual(outcome.attributes["egress.masked.mrn"], "1")
        let record = try XCTUnwrap(transcript(outcome))
        XCTAssertFalse(record.contains(Fixtures.ssn) || record.contains(Fixtures.patientName), "the transcript keeps the prompt as sent")
    }

    func testALiveSecretFailsTheTaskWithoutARequest() async throws {
        let server = try FakeModelServer(flavour: .openAIChat)
        defer { server.stop() }
        let secret = "AKIA" + "Q3EGRTZ7VXKBNW4H"
        let input = MeshWire.Artifact(name: "deploy.sh", mediaType: "text/x-shellscript", content: Array("export AWS_ACCESS_KEY_ID=\(secret)\n".utf8))
        let outcome = try await run(server, Fixtures.definition(server, phi: .allow), task: Fixtures.task(inputs: [input]))
        XCTAssertEqual(outcome.status, .failed)
        XCTAssertTrue(outcome.error.hasPrefix("egress guard: a live secret"), outcome.error)
        XCTAssertFalse(outcome.error.contains(secret))
        XCTAssertEqual(server.requestCount, 0)
    }

    func testFeedbackOfThePreviousAttemptIsInThePrompt() async throws {
        let server = try FakeModelServer(flavour: .openAIChat)
        defer { server.stop() }
        let finding = MeshWire.Finding(ruleID: "code-without-tests", severity: .medium, message: "add tests for Feature.swift", location: "Sources/App/Feature.swift")
        _ = try await run(server, Fixtures.definition(server), task: Fixtures.task(feedback: [finding], attempt: 2))
        let prompt = FakeModelServer.prompt(of: try XCTUnwrap(server.requests.first))
        XCTAssertTrue(prompt.contains("Attempt 2.") && prompt.contains("- [medium] code-without-tests at Sources/App/Feature.swift: add tests for Feature.swift"), prompt)
    }

    func testTheTaskDeadlineBoundsRetries() async throws {
        let server = try FakeModelServer(flavour: .openAIChat)
        defer { server.stop() }
        server.respond { _ in .hang }
        let deadline = Int64(Date().timeIntervalSince1970 * 1_000_000) + 400_000
        let started = ContinuousClock.now
        let outcome = try await run(server, Fixtures.definition(server, retries: ModelRetryPolicy(maxAttempts: 5)), task: Fixtures.task(deadlineUnixMicros: deadline))
        XCTAssertEqual(outcome.status, .failed)
        XCTAssertLessThan(started.duration(to: .now), .seconds(3))
    }

    func testTheWaitForAnEndpointSlotEndsAtTheTaskDeadline() async throws {
        let server = try FakeModelServer(flavour: .openAIChat)
        defer { server.stop() }
        // The first task's request holds the endpoint's only slot; the second would get an answer.
        server.enqueue(.hang)
        let definition = Fixtures.definition(server, retries: ModelRetryPolicy(maxAttempts: 1), requestTimeout: .seconds(3), maxConcurrency: 1)
        let handler = try ModelHandler(definition: definition, policies: Fixtures.policies, environment: Fixtures.environment)
        let holder = Task { await handler.handle(Fixtures.task(), context: context) }
        try await eventually("the first request holds the slot", timeout: .seconds(10)) { server.requestCount == 1 }

        let deadline = Int64(Date().timeIntervalSince1970 * 1_000_000) + 300_000
        let waiter = await handler.handle(Fixtures.task(deadlineUnixMicros: deadline), context: context)
        XCTAssertEqual(waiter.status, .failed)
        XCTAssertEqual(waiter.error, "deadline reached while waiting for one of the 1 concurrent request slots of endpoint fake (0 attempts sent)")
        XCTAssertEqual(server.requestCount, 1, "the second task sent nothing")
        XCTAssertEqual(handler.metrics.errorCount("deadline"), 1)

        let held = await holder.value
        XCTAssertEqual(held.status, .failed, "the hung request ends at its own timeout")
        await handler.shutdown()
    }
}
