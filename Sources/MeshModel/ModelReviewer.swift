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

    public func answer(prompt: String, result: String, schema: String) async -> Result<String, ModelReviewFailure> {
        var session = client.session()
        let conversation = ModelConversation(system: prompt, turns: [.init(.user, result)])
        let asked = client.definition.output == .structured ? AnswerSchema(name: "submit_findings", json: schema) : nil
        switch await client.call(conversation, schema: asked, session: &session) {
        case .failure(let failure):
            return .failure(ModelReviewFailure(message: failure.message))
        case .success(let reply):
            if let exceeded = client.budgetExceeded(session) { return .failure(ModelReviewFailure(message: exceeded)) }
            return .success(AnswerContract.extractJSON(reply.text))
        }
    }
}
