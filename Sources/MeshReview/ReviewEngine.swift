import MeshProcess
import MeshWire

/// Applies `ReviewRules` to task results.
///
/// Rules run in declaration order; external checkers run one after another so findings and
/// breaker state stay deterministic. The decision is the strictest one among matched rules:
/// any `reject` rejects, else any `request_changes` requests changes, else the result is
/// approved. Each external checker has its own circuit breaker, kept for the engine's life.
public final class ReviewEngine: Sendable {
    public let rules: ReviewRules
    private let breakers: [String: SharedCircuitBreaker]
    /// The marker scanners of `forbidden_markers` rules, by rule id.
    private let scanners: [String: MarkerScanner]
    private let now: @Sendable () -> ContinuousClock.Instant
    /// The model behind each `model_review` rule, by rule id.
    private let modelReviewers: [String: any ModelReviewing]

    /// - Parameter now: Clock for the checker breakers (tests pass a fixed or stepped clock).
    /// - Parameter modelReviewers: The model of each `model_review` rule, by rule id; a rule
    ///   without one fails as its `on_failure` says.
    public init(rules: ReviewRules, modelReviewers: [String: any ModelReviewing] = [:],
                now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.rules = rules
        self.now = now
        self.modelReviewers = modelReviewers
        var breakers: [String: SharedCircuitBreaker] = [:]
        var scanners: [String: MarkerScanner] = [:]
        for rule in rules.rules {
            switch rule.kind {
            case .externalChecker(let spec):
                breakers[rule.id] = SharedCircuitBreaker(failureThreshold: spec.failureThreshold, coolDown: spec.coolDown)
            case .forbiddenMarkers(let markers, let caseSensitive, _):
                scanners[rule.id] = MarkerScanner(markers: markers, caseSensitive: caseSensitive)
            default:
                break
            }
        }
        self.breakers = breakers
        self.scanners = scanners
    }

    /// Reviews `result`, produced for a task of `role`.
    public func review(result: TaskResult, role: String) async -> ReviewOutcome {
        var findings: [Finding] = []
        var evaluated: [String] = []
        var decisions: [(rule: String, decision: Decision)] = []
        let artifacts = result.artifacts.sorted { $0.name < $1.name }
        for rule in rules.rules where rule.applies(to: role) {
            evaluated.append(rule.id)
            let (ruleFindings, decision) = await evaluate(rule, result, artifacts: artifacts, role: role)
            findings += ruleFindings
            if let decision { decisions.append((rule.id, decision)) }
        }
        let decision: Decision = decisions.contains { $0.decision == .reject } ? .reject
            : decisions.isEmpty ? .approve : .requestChanges
        let decidedBy = decision == .approve ? evaluated : decisions.filter { $0.decision == decision }.map(\.rule)
        let models = rules.rules.filter { $0.applies(to: role) }.compactMap { rule -> String? in
            guard case .modelReview = rule.kind, let reviewer = modelReviewers[rule.id] else { return nil }
            return "\(rule.id)=\(reviewer.modelName)"
        }
        return ReviewOutcome(decision: decision, findings: findings, decidedBy: decidedBy,
                             rulesHash: rules.rulesHash, rulesVersion: rules.rulesVersion, models: models)
    }

    private func evaluate(_ rule: ReviewRule, _ result: TaskResult, artifacts: [Artifact], role: String) async -> ([Finding], Decision?) {
        if case .modelReview(let spec) = rule.kind {
            let checked = await ModelReviewCheck(rule: rule, spec: spec, reviewer: modelReviewers[rule.id]).check(result, role: role)
            if checked.failed { return (checked.findings, spec.onFailure) }
            return (checked.findings, checked.findings.isEmpty ? nil : rule.onMatch)
        }
        guard case .externalChecker(let spec) = rule.kind else {
            let findings = BuiltInRuleEvaluator.evaluate(rule, result, artifacts: artifacts, scanner: scanners[rule.id])
            return (findings, findings.isEmpty ? nil : rule.onMatch)
        }
        let checker = ExternalChecker(rule: rule, spec: spec, breaker: breakers[rule.id]!)
        switch await checker.check(result, role: role, now: now()) {
        case .findings(let findings): return (findings, findings.isEmpty ? nil : rule.onMatch)
        case .failed(let finding): return ([finding], spec.onFailure)
        }
    }
}
