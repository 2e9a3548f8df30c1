import MeshReview

/// The model behind a `model_review` rule: asks for findings in the rule's schema through
/// `ModelClient` (egress guard, retries, limits, breaker, budget, transcript kept in memory
/// only: a verdict carries findings, not artifacts).
///
/// Placeholders the guard put in for PHI stay in the findings: a verdict must not carry PHI.
public final class ModelReviewer: ModelReviewing {
    public let client: ModelClient
    public var modelName: String { "\(client.definition.model)@\(client.definition.endpoint.name)" }

    public init(client: ModelClient) { self.client = client }

    public func answer(prompt: String, result: String, schema: String,
                       problem: @escaping @Sendable (String) -> String?) async -> Result<String, ModelReviewFailure> {
        var session = client.session()
        var conversation = ModelConversation(system: prompt, turns: [.init(.user, result)])
        let asked = client.definition.output == .structured ? AnswerSchema(name: "submit_findings", json: schema) : nil
        for turn in 1...2 {
            let reply: ModelReply
            switch await client.call(conversation, schema: asked, session: &session) {
            case .failure(let failure): return .failure(ModelReviewFailure(message: failure.message))
            case .success(let value): reply = value
            }
            if let exceeded = client.budgetExceeded(session) { return .failure(ModelReviewFailure(message: exceeded)) }
            let answer = AnswerContract.extractJSON(reply.text)
            guard let wrong = problem(answer) else { return .success(answer) }
            client.metrics.recordError("invalid_answer")
            guard turn == 1 else {
                return .failure(ModelReviewFailure(kind: .invalidAnswer, message: "answer still invalid after a repair turn: \(wrong)"))
            }
            conversation.repair(answer: reply.text, problem: wrong)
        }
        return .failure(ModelReviewFailure(message: "unreachable"))
    }
}
