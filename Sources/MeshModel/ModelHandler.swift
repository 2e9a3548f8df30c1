import Foundation
import MeshAgentHandlers
import MeshCompliance
import MeshProcess
import MeshSigning
import MeshWire

/// The built-in model-backed task handler (`mesh-agent --handler model`): renders the
/// definition's prompts for the task, passes every request through the egress guard, calls
/// the endpoint (retries, per-endpoint concurrency limit, circuit breaker, task deadline),
/// reads the structured answer with one repair turn, and keeps the whole exchange as a
/// transcript artifact. Never throws: every problem is a failed outcome saying why.
public final class ModelHandler: TaskHandler {
    public let definition: AgentDefinition
    public let metrics: ModelMetrics
    private let policies: PolicyBundle
    private let wire: any ModelWireFormat
    private let client: ModelHTTPClient
    private let credential: (String, String)?
    private let breaker: SharedCircuitBreaker
    private let limiter: ConcurrencyLimiter
    private let schedule: RetrySchedule

    /// Resolves the credential reference now, so a missing key stops the agent at start-up
    /// rather than failing every task.
    public init(definition: AgentDefinition, policies: PolicyBundle, metrics: ModelMetrics = ModelMetrics(),
                environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.definition = definition
        self.metrics = metrics
        self.policies = policies
        let wire = definition.endpoint.flavour.wireFormat
        self.wire = wire
        credential = try definition.endpoint.credentials.map { wire.credentialHeader(try $0.resolve(environment: environment)) }
        // Created last: a client must be shut down, so nothing may throw after it exists.
        client = ModelHTTPClient(endpointURL: definition.endpoint.url, connectTimeout: definition.timeouts.connect, environment: environment)
        breaker = SharedCircuitBreaker(failureThreshold: definition.endpoint.failureThreshold, coolDown: definition.endpoint.coolDown)
        limiter = ConcurrencyLimiter(limit: definition.endpoint.maxConcurrency)
        schedule = RetrySchedule(policy: definition.retries)
    }

    /// Closes the HTTP connections.
    public func shutdown() async { await client.shutdown() }

    public func handle(_ task: TaskAssigned, context: HandlerContext) async -> HandlerOutcome {
        var run = TaskRun(
            guard: EgressGuard(bundle: policies, policy: definition.endpoint.phi, role: definition.role),
            transcript: ModelTranscript(endpoint: definition.endpoint.name, flavour: definition.endpoint.flavour,
                                        model: definition.model, egressPolicy: definition.endpoint.phi),
            deadline: deadline(for: task))
        let prompt = PromptRenderer.render(definition.prompts, task: task, output: definition.output)
        var conversation = ModelConversation(system: prompt.system, turns: [.init(.user, prompt.user)])
        for turn in 1...2 {
            let reply: ModelReply
            switch await call(conversation, run: &run) {
            case .failure(let reason): return run.failed(reason.message)
            case .success(let value): reply = value
            }
            if let exceeded = budgetExceeded(run.transcript) {
                metrics.recordError("budget_exceeded")
                return run.failed(exceeded)
            }
            do {
                return run.completed(try AnswerContract.decode(reply.text))
            } catch {
                metrics.recordError("invalid_answer")
                guard turn == 1 else { return run.failed("model answer still invalid after a repair turn: \(error)") }
                // The model sees its own (masked) answer and exactly what was wrong with it.
                conversation.turns.append(.init(.assistant, reply.text))
                conversation.turns.append(.init(.user, """
                    Your answer could not be used: \(error). Answer again with only the complete JSON object.
                    """))
            }
        }
        return run.failed("unreachable")
    }

    private struct CallFailure: Error { var message: String }

    /// One request (with its retries) after the egress guard approved it.
    private func call(_ conversation: ModelConversation, run: inout TaskRun) async -> Result<ModelReply, CallFailure> {
        let screened: [String]
        switch run.guard.screen(conversation.texts) {
        case .failure(let refusal):
            metrics.recordRefusal()
            return .failure(CallFailure(message: refusal.message))
        case .success(let texts):
            screened = texts
        }
        run.transcript.egressCounts = Dictionary(uniqueKeysWithValues: run.guard.counts.map { ($0.key.rawValue, $0.value) })
        var masked = conversation
        masked.system = screened[0]
        for index in masked.turns.indices { masked.turns[index].text = screened[index + 1] }
        let request = wire.request(masked, definition: definition)
        let requestHash = SHA256Digest.hex(request.body)
        let requestText = String(decoding: request.body, as: UTF8.self)

        for attempt in 1... {
            let remaining = ContinuousClock.now.duration(to: run.deadline)
            guard remaining > .zero else {
                return .failure(CallFailure(message: "task deadline reached before the model answered (\(attempt - 1) attempts)"))
            }
            if case .refused(let retryAt) = breaker.admit() {
                metrics.recordError("circuit_open")
                let wait = retryAt.map { " for \(ContinuousClock.now.duration(to: $0).seconds)s" } ?? " while a trial call runs"
                return .failure(CallFailure(message: "circuit breaker open for endpoint \(definition.endpoint.name)\(wait) after repeated failures; no request was sent"))
            }
            let started = ContinuousClock.now
            let timeout = min(definition.timeouts.request, remaining)
            let sent = (try? await limiter.withPermit { await self.client.send(request, credential: self.credential, timeout: timeout) })
                ?? .failure(.timeout)
            let latency = started.duration(to: .now)
            var record = ModelCallRecord(
                requestSHA256: requestHash, responseSHA256: "", status: 0, outcome: "ok", promptTokens: 0, completionTokens: 0,
                latencyMilliseconds: Int(latency / .milliseconds(1)), cost: 0, finishReason: "", retry: attempt - 1,
                request: requestText, response: "")
            let result = classify(sent, record: &record)
            metrics.record(record)
            run.transcript.calls.append(record)
            switch result {
            case .success(let reply):
                breaker.recordSuccess()
                return .success(reply)
            case .failure(let failure):
                breaker.recordFailure()
                metrics.recordError(failure.metricClass)
                let left = ContinuousClock.now.duration(to: run.deadline)
                guard let delay = schedule.delay(after: failure, attempt: attempt, remaining: left) else {
                    return .failure(CallFailure(message: "model call to \(definition.endpoint.name) failed after \(attempt) attempt\(attempt == 1 ? "" : "s"): \(failure)"))
                }
                try? await Task.sleep(for: delay)
            }
        }
        return .failure(CallFailure(message: "unreachable"))
    }

    /// Reads an exchange into a reply or a classified failure, filling in the record.
    private func classify(_ sent: Result<ModelHTTPClient.Response, ModelCallFailure>, record: inout ModelCallRecord) -> Result<ModelReply, ModelCallFailure> {
        let response: ModelHTTPClient.Response
        switch sent {
        case .failure(let failure):
            record.outcome = "\(failure.metricClass): \(failure)"
            return .failure(failure)
        case .success(let value):
            response = value
        }
        record.status = response.status
        record.responseSHA256 = SHA256Digest.hex(response.body)
        record.response = String(decoding: response.body, as: UTF8.self)
        let failure: ModelCallFailure
        switch response.status {
        case 200..<300:
            do {
                let reply = try wire.reply(response.body)
                record.promptTokens = reply.promptTokens
                record.completionTokens = reply.completionTokens
                record.finishReason = reply.finishReason
                record.cost = definition.pricing.cost(promptTokens: reply.promptTokens, completionTokens: reply.completionTokens)
                return .success(reply)
            } catch {
                failure = .malformedReply("\(error)")
            }
        case 429: failure = .rateLimited(retryAfter: RetrySchedule.retryAfter(response.retryAfter))
        case 500..<600: failure = .server(status: response.status)
        // The body of a refusal is recorded in the transcript, not copied into the error: some
        // APIs echo part of the key they refused.
        default: failure = .rejected(status: response.status, detail: "")
        }
        record.outcome = "\(failure.metricClass): \(failure)"
        return .failure(failure)
    }

    private func budgetExceeded(_ transcript: ModelTranscript) -> String? {
        let tokens = transcript.calls.reduce(0) { $0 + $1.promptTokens + $1.completionTokens }
        let cost = transcript.calls.reduce(0) { $0 + $1.cost }
        if definition.budget.maxTokens > 0, tokens > definition.budget.maxTokens {
            return "budget exceeded: \(tokens) tokens used, the task may use \(definition.budget.maxTokens)"
        }
        if definition.budget.maxCost > 0, cost > definition.budget.maxCost {
            return "budget exceeded: cost \(String(format: "%.4f", cost)), the task may spend \(definition.budget.maxCost)"
        }
        return nil
    }

    /// The earlier of the task's own deadline and the definition's time per task.
    private func deadline(for task: TaskAssigned) -> ContinuousClock.Instant {
        var deadline = ContinuousClock.now.advanced(by: definition.timeouts.task)
        if task.deadlineUnixMicros > 0 {
            let nowMicros = Int64(Date().timeIntervalSince1970 * 1_000_000)
            let taskDeadline = ContinuousClock.now.advanced(by: .microseconds(task.deadlineUnixMicros - nowMicros))
            deadline = min(deadline, taskDeadline)
        }
        return deadline
    }
}

/// What one task accumulates across its calls.
private struct TaskRun {
    var `guard`: EgressGuard
    var transcript: ModelTranscript
    var deadline: ContinuousClock.Instant

    func failed(_ reason: String) -> HandlerOutcome {
        HandlerOutcome(status: .failed, summary: "model-backed task failed", artifacts: [transcript.artifact], error: reason,
                       attributes: transcript.attributes)
    }

    /// The answer with PHI placeholders put back, the transcript added, and the call totals
    /// over any attribute of the same name the model made up.
    func completed(_ answer: HandlerOutcome) -> HandlerOutcome {
        var outcome = answer
        outcome.summary = `guard`.restore(answer.summary)
        outcome.artifacts = answer.artifacts.map { artifact in
            guard let text = String(validating: artifact.content, as: UTF8.self) else { return artifact }
            var restored = artifact
            restored.content = Array(`guard`.restore(text).utf8)
            return HandlerArtifact.sealed(restored)
        } + [transcript.artifact]
        outcome.attributes = answer.attributes.mapValues { `guard`.restore($0) }.merging(transcript.attributes) { $1 }
        return outcome
    }
}
