import Foundation
import MeshCompliance
import MeshProcess
import MeshSigning
import MeshWire

/// Calls one endpoint for one agent: every request through the egress guard, then retries
/// with backoff (honouring `Retry-After`), the per-endpoint concurrency limit, the circuit
/// breaker and the deadline; every exchange goes into the transcript and the metrics.
/// Shared by the task handler and the model-backed review check.
public final class ModelClient: Sendable {
    public let definition: AgentDefinition
    public let metrics: ModelMetrics
    public let policies: PolicyBundle
    private let wire: any ModelWireFormat
    private let http: ModelHTTPClient
    private let credential: (String, String)?
    private let breaker: SharedCircuitBreaker
    private let limiter: ConcurrencyLimiter
    private let schedule: RetrySchedule

    /// Resolves the credential reference now, so a missing key stops the process at start-up
    /// rather than failing every task.
    public init(definition: AgentDefinition, policies: PolicyBundle, metrics: ModelMetrics = ModelMetrics(),
                environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.definition = definition
        self.metrics = metrics
        self.policies = policies
        let wire = definition.endpoint.flavour.wireFormat
        self.wire = wire
        credential = try definition.endpoint.credentials.map { wire.credentialHeader(try $0.resolve(environment: environment)) }
        breaker = SharedCircuitBreaker(failureThreshold: definition.endpoint.failureThreshold, coolDown: definition.endpoint.coolDown)
        limiter = ConcurrencyLimiter(limit: definition.endpoint.maxConcurrency)
        schedule = RetrySchedule(policy: definition.retries)
        // Created last: a client must be shut down, so nothing may throw after it exists.
        http = ModelHTTPClient(endpointURL: definition.endpoint.url, connectTimeout: definition.timeouts.connect, environment: environment)
    }

    /// Closes the HTTP connections.
    public func shutdown() async { await http.shutdown() }

    /// A fresh exchange state for one task or review, ending at `deadline` at the latest, on
    /// the definition's budget with the task's own ceilings in place of its.
    public func session(deadline: ContinuousClock.Instant? = nil, budget: TaskModelBudget = TaskModelBudget()) -> ModelSession {
        let ownDeadline = ContinuousClock.now.advanced(by: definition.timeouts.task)
        return ModelSession(
            guard: EgressGuard(bundle: policies, policy: definition.endpoint.phi, role: definition.role),
            transcript: ModelTranscript(endpoint: definition.endpoint.name, flavour: definition.endpoint.flavour,
                                        model: definition.model, egressPolicy: definition.endpoint.phi),
            deadline: deadline.map { min($0, ownDeadline) } ?? ownDeadline,
            budget: definition.budget.overridden(by: budget))
    }

    /// Why a call produced no reply; the message is the failed result's error.
    public struct CallFailure: Error, Sendable { public var message: String }

    /// One request (with its retries) after the egress guard approved it; `schema` is the
    /// structured answer asked for.
    public func call(_ conversation: ModelConversation, schema: AnswerSchema?, session: inout ModelSession) async -> Result<ModelReply, CallFailure> {
        let screened: [String]
        switch session.guard.screen(conversation.texts) {
        case .failure(let refusal):
            metrics.recordRefusal()
            return .failure(CallFailure(message: refusal.message))
        case .success(let texts):
            screened = texts
        }
        session.transcript.egressCounts = Dictionary(uniqueKeysWithValues: session.guard.counts.map { ($0.key.rawValue, $0.value) })
        var masked = conversation
        masked.system = screened[0]
        for index in masked.turns.indices { masked.turns[index].text = screened[index + 1] }
        let request = wire.request(masked, schema: schema, definition: definition)
        let requestHash = SHA256Digest.hex(request.body)
        let requestText = String(decoding: request.body, as: UTF8.self)

        for attempt in 1... {
            guard ContinuousClock.now < session.deadline else {
                return .failure(CallFailure(message: "deadline reached before the model answered (\(attempt - 1) attempts)"))
            }
            var started = ContinuousClock.now
            let sent: Result<ModelHTTPClient.Response, ModelCallFailure>
            do {
                // The breaker is asked only once a slot is held, so a trial call it admits is sent.
                let exchange = try await limiter.withPermit(before: session.deadline) { [deadline = session.deadline] in
                    if case .refused(let retryAt) = self.breaker.admit() { throw BreakerRefusal(retryAt: retryAt) }
                    let sentAt = ContinuousClock.now
                    let timeout = min(self.definition.timeouts.request, sentAt.duration(to: deadline))
                    return (sentAt, await self.http.send(request, credential: self.credential, timeout: timeout))
                }
                (started, sent) = exchange
            } catch let refusal as BreakerRefusal {
                metrics.recordError("circuit_open")
                let wait = refusal.retryAt.map { " for \(ContinuousClock.now.duration(to: $0).seconds)s" } ?? " while a trial call runs"
                return .failure(CallFailure(message: "circuit breaker open for endpoint \(definition.endpoint.name)\(wait) after repeated failures; no request was sent"))
            } catch is PermitDeadlineReached {
                metrics.recordError("deadline")
                return .failure(CallFailure(message: """
                    deadline reached while waiting for one of the \(definition.endpoint.maxConcurrency) concurrent request slots \
                    of endpoint \(definition.endpoint.name) (\(attempt - 1) attempts sent)
                    """))
            } catch {
                sent = .failure(.timeout)
            }
            var record = ModelCallRecord(
                requestSHA256: requestHash, responseSHA256: "", status: 0, outcome: "ok", promptTokens: 0, completionTokens: 0,
                latencyMilliseconds: Int(started.duration(to: .now) / .milliseconds(1)), cost: 0, finishReason: "",
                retry: attempt - 1, request: requestText, response: "")
            let result = classify(sent, record: &record)
            metrics.record(record, model: definition.model)
            session.transcript.calls.append(record)
            switch result {
            case .success(let reply):
                breaker.recordSuccess()
                return .success(reply)
            case .failure(let failure):
                breaker.recordFailure()
                metrics.recordError(failure.metricClass)
                let left = ContinuousClock.now.duration(to: session.deadline)
                guard let delay = schedule.delay(after: failure, attempt: attempt, remaining: left) else {
                    return .failure(CallFailure(message: "model call to \(definition.endpoint.name) failed after \(attempt) attempt\(attempt == 1 ? "" : "s"): \(failure)"))
                }
                try? await Task.sleep(for: delay)
            }
        }
        return .failure(CallFailure(message: "unreachable"))
    }

    /// "budget exceeded: …" once the session's calls went over a ceiling of its budget.
    public func budgetExceeded(_ session: ModelSession) -> String? {
        let calls = session.transcript.calls
        let tokens = calls.reduce(0) { $0 + $1.promptTokens + $1.completionTokens }
        let cost = calls.reduce(0) { $0 + $1.cost }
        var problem: String?
        let budget = session.budget
        if budget.maxTokens > 0, tokens > budget.maxTokens {
            problem = "budget exceeded: \(tokens) tokens used, the task may use \(budget.maxTokens)"
        } else if budget.maxCost > 0, cost > budget.maxCost {
            problem = "budget exceeded: cost \(String(format: "%.4f", cost)), the task may spend \(budget.maxCost)"
        }
        if problem != nil { metrics.recordError("budget_exceeded") }
        return problem
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
}

/// The circuit breaker refused a call; `retryAt` is when it admits one again.
private struct BreakerRefusal: Error {
    var retryAt: ContinuousClock.Instant?
}

/// What one task (or one review) accumulates across its calls: the guard's placeholder table,
/// the transcript and the deadline.
public struct ModelSession: Sendable {
    public var `guard`: EgressGuard
    public var transcript: ModelTranscript
    public var deadline: ContinuousClock.Instant
    /// The ceilings this session's calls are held to.
    public var budget: ModelBudget
}
