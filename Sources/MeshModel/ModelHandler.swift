import Foundation
import MeshAgentHandlers
import MeshCompliance
import MeshWire

/// The built-in model-backed task handler (`mesh-agent --handler model`): renders the
/// definition's prompts for the task, calls the model through `ModelClient` (egress guard,
/// retries, limits, breaker, deadline), reads the structured answer with one repair turn,
/// and returns the whole exchange as a transcript artifact. Never throws: every problem is a
/// failed outcome saying why.
public final class ModelHandler: TaskHandler {
    public let client: ModelClient
    public var definition: AgentDefinition { client.definition }
    public var metrics: ModelMetrics { client.metrics }

    public init(client: ModelClient) { self.client = client }

    /// A handler with its own client for `definition` (see `ModelClient.init`).
    public convenience init(definition: AgentDefinition, policies: PolicyBundle, metrics: ModelMetrics = ModelMetrics(),
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.init(client: try ModelClient(definition: definition, policies: policies, metrics: metrics, environment: environment))
    }

    /// Closes the HTTP connections.
    public func shutdown() async { await client.shutdown() }

    public func handle(_ task: TaskAssigned, context: HandlerContext) async -> HandlerOutcome {
        var session = client.session(deadline: Self.deadline(of: task), budget: context.modelBudget)
        let prompt = PromptRenderer.render(definition.prompts, task: task, output: definition.output)
        var conversation = ModelConversation(system: prompt.system, turns: [.init(.user, prompt.user)])
        let schema = definition.output == .structured ? AnswerContract.schema : nil
        for turn in 1...2 {
            let reply: ModelReply
            switch await client.call(conversation, schema: schema, session: &session) {
            case .failure(let reason): return Self.failed(reason.message, session)
            case .success(let value): reply = value
            }
            if let exceeded = client.budgetExceeded(session) { return Self.failed(exceeded, session) }
            do {
                return Self.completed(try AnswerContract.decode(reply.text), session)
            } catch {
                metrics.recordError("invalid_answer")
                guard turn == 1 else { return Self.failed("model answer still invalid after a repair turn: \(error)", session) }
                conversation.repair(answer: reply.text, problem: "\(error)")
            }
        }
        return Self.failed("unreachable", session)
    }

    static func failed(_ reason: String, _ session: ModelSession) -> HandlerOutcome {
        HandlerOutcome(status: .failed, summary: "model-backed task failed", artifacts: [session.transcript.artifact], error: reason,
                       attributes: session.transcript.attributes)
    }

    /// The answer with PHI placeholders put back, the transcript added, and the call totals
    /// over any attribute of the same name the model made up.
    static func completed(_ answer: HandlerOutcome, _ session: ModelSession) -> HandlerOutcome {
        let egress = session.guard
        var outcome = answer
        outcome.summary = egress.restore(answer.summary)
        outcome.artifacts = answer.artifacts.map { artifact in
            guard let text = String(validating: artifact.content, as: UTF8.self) else { return artifact }
            var restored = artifact
            restored.content = Array(egress.restore(text).utf8)
            return HandlerArtifact.sealed(restored)
        } + [session.transcript.artifact]
        outcome.attributes = answer.attributes.mapValues { egress.restore($0) }.merging(session.transcript.attributes) { $1 }
        return outcome
    }

    /// The task's own deadline on the monotonic clock, if it has one.
    static func deadline(of task: TaskAssigned) -> ContinuousClock.Instant? {
        guard task.deadlineUnixMicros > 0 else { return nil }
        let nowMicros = Int64(Date().timeIntervalSince1970 * 1_000_000)
        return ContinuousClock.now.advanced(by: .microseconds(task.deadlineUnixMicros - nowMicros))
    }
}
