import Foundation
import MeshWire

/// What the reviewer needs from a model: the seam between review rules and a model client
/// (MeshModel's `ModelReviewer` in the reviewer process, a stand-in in unit tests).
public protocol ModelReviewing: Sendable {
    /// `model@endpoint`, named in the verdict.
    var modelName: String { get }
    /// The model's answer (JSON text) to `prompt` about `result`, asked for `schema`, that
    /// `problem` finds nothing wrong with (it says what is wrong, `nil` for a usable answer).
    /// An unusable answer gets one repair turn quoting the problem; a second one is a
    /// failure of kind `invalidAnswer`.
    func answer(prompt: String, result: String, schema: String,
                problem: @escaping @Sendable (String) -> String?) async -> Result<String, ModelReviewFailure>
}

/// Why a model gave no usable answer (a message without sensitive values).
public struct ModelReviewFailure: Error, Hashable, Sendable {
    public enum Kind: String, Sendable, Hashable {
        /// No reply: the call failed, the egress guard refused it, or the budget ran out.
        case unanswered
        /// Replies, but none usable even after the repair turn.
        case invalidAnswer = "invalid_answer"
    }

    public var kind: Kind
    public var message: String
    public init(kind: Kind = .unanswered, message: String) {
        self.kind = kind
        self.message = message
    }
}

/// Runs one `model_review` rule: the result as the checker contract's JSON, the findings as
/// the checker contract's output. A model that cannot answer never breaks the review: it
/// yields one finding saying what happened, decided by the rule's `on_failure`.
struct ModelReviewCheck {
    let rule: ReviewRule
    let spec: ModelReviewSpec
    let reviewer: (any ModelReviewing)?

    func check(_ result: TaskResult, role: String) async -> (findings: [Finding], failed: Bool) {
        guard let reviewer else { return ([failure("has no model configured for \(spec.agentFile)")], true) }
        let input = String(decoding: CheckerContract.inputJSON(result, role: role), as: UTF8.self)
        let problem: @Sendable (String) -> String? = { [rule] answer in
            if case .failure(let problem) = CheckerContract.findings(in: Array(answer.utf8), rule: rule) { return problem.message }
            return nil
        }
        switch await reviewer.answer(prompt: spec.prompt, result: input, schema: spec.findingsSchema, problem: problem) {
        case .failure(let problem):
            return ([failure("(model \(reviewer.modelName)) failed: \(problem.message)")], true)
        case .success(let answer):
            switch CheckerContract.findings(in: Array(answer.utf8), rule: rule) {
            case .failure(let problem):
                return ([failure("(model \(reviewer.modelName)) answered \(problem.message)")], true)
            case .success(let findings):
                // Each finding names the model that made it: the verdict says who judged.
                return (findings.map { finding in
                    var named = finding
                    named.message += " (model \(reviewer.modelName))"
                    return named
                }, false)
            }
        }
    }

    private func failure(_ message: String) -> Finding {
        Finding(ruleID: rule.id, severity: spec.onFailure == nil ? .info : rule.severity,
                message: "model review \"\(rule.id)\" \(message)", location: "model")
    }
}
