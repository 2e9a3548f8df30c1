import ArgumentParser
import Foundation
import Logging
import MeshCLI
import MeshCatalog
import MeshCompliance
import MeshLogging
import MeshModel
import MeshReview
import MeshRuntime
import MeshSigning
import MeshTransport
import MeshWire

@main
struct ReviewerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mesh-reviewer",
        abstract: "Reviews every task result against declarative rules and publishes a verdict.",
        discussion: """
            Rules live in versioned YAML files (default ./Rules): required artifacts, size limits,
            forbidden markers, code without tests, optional external checkers and model reviews
            (`kind: model_review`: a model named by an agent definition judges the result; its
            requests pass the egress guard). Each verdict names the rules hash, the rules that
            decided it and the models that reviewed. Run several replicas to share the load;
            each result is judged once per consumer group.
            """)

    @Option(help: ArgumentHelp("Review rules file or folder.", valueName: "path")) var rules = "Rules"
    @Option(name: .customLong("model-policies"), help: ArgumentHelp(
        "Policy packs the egress guard of model_review rules applies.", valueName: "dir"))
    var modelPolicies = "Policies"
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var catalog: CatalogOptions
    @OptionGroup var options: RoleOptions

    func run() async throws {
        MeshLogging.bootstrap(role: MeshRoles.reviewer)
        ProcessMetrics.bootstrap()
        let logger = Logger(label: MeshRoles.reviewer)
        let loaded = try catalog.load()
        guard let verdictTopic = loaded.topics(for: PayloadKind.verdict.rawValue, producedBy: MeshRoles.reviewer).first?.name else {
            throw ValidationError("the catalog lets role \(MeshRoles.reviewer) write verdicts to no topic")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: rules, isDirectory: &isDirectory) else {
            throw ValidationError("no review rules at \(rules): pass --rules <file or folder>")
        }
        let reviewRules = isDirectory.boolValue ? try ReviewRules.load(directory: rules) : try ReviewRules.load(file: rules)
        logger.info("review rules \(reviewRules.rulesVersion), hash \(reviewRules.rulesHash)")
        let models = try Self.modelReviewers(for: reviewRules, policies: modelPolicies)
        for (rule, reviewer) in models.reviewers.sorted(by: { $0.key < $1.key }) {
            logger.info("rule \(rule) reviews with model \(reviewer.modelName)")
        }
        let worker = try RoleProcess.worker(
            role: MeshRoles.reviewer, topics: loaded.topics(consumedBy: MeshRoles.reviewer).map(\.name),
            handler: ReviewerRoleHandler(
                engine: ReviewEngine(rules: reviewRules, modelReviewers: models.reviewers), verdictTopic: verdictTopic),
            handlerKind: models.reviewers.isEmpty ? "review-rules" : "review-rules+model",
            connection: connection, catalog: loaded, options: options, logger: logger)
        await RoleProcess.run(worker, options: options, logger: logger)
        // After the drain no review is in flight: the HTTP clients' connections can close.
        for reviewer in models.reviewers.values { await (reviewer as? ModelReviewer)?.client.shutdown() }
    }

    /// A model client per `model_review` rule, from the agent definition it names.
    static func modelReviewers(for rules: ReviewRules, policies: String) throws -> (reviewers: [String: any ModelReviewing], metrics: ModelMetrics) {
        let metrics = ModelMetrics()
        var reviewers: [String: any ModelReviewing] = [:]
        var bundle: PolicyBundle?
        for rule in rules.rules {
            guard case .modelReview(let spec) = rule.kind else { continue }
            let loaded = try bundle ?? PolicyBundle.load(directory: policies)
            bundle = loaded
            let definition = try AgentDefinitionLoader.load(path: spec.agentFile)
            reviewers[rule.id] = ModelReviewer(client: try ModelClient(definition: definition, policies: loaded, metrics: metrics))
        }
        return (reviewers, metrics)
    }
}

struct ReviewerRoleHandler: RoleHandler {
    let engine: ReviewEngine
    /// The catalog's topic for the reviewer's verdicts.
    let verdictTopic: String

    func handle(_ inbound: InboundEnvelope) async throws -> [OutboundEnvelope] {
        guard case .taskResult(let result) = inbound.envelope.payload else { return [] }
        let authorRole = SourcePath.role(of: inbound.envelope.source) ?? ""
        let outcome = await engine.review(result: result, role: authorRole)
        // A verdict of the rules is a function of the result and the rules' version: it takes
        // its time from the result and names the role, not this instance, so a redelivered
        // result yields the same bytes wherever it is judged again.
        let verdict = outcome.verdict(for: result, resultEnvelopeID: inbound.envelope.id, reviewerID: MeshRoles.reviewer)
        let id = DerivedID.make(causeID: inbound.envelope.id, role: MeshRoles.reviewer, output: "verdict")
        let envelope = Envelope(
            id: id, source: SourcePath.make(role: MeshRoles.reviewer), correlationID: inbound.envelope.correlationID,
            causationID: inbound.envelope.id, subject: result.taskID,
            traceparent: TraceContext.traceparent(ofOutput: id, causedBy: inbound.envelope),
            timeUnixMicros: inbound.envelope.timeUnixMicros,
            attributes: outcome.models.isEmpty ? [] : [Attribute("review.models", outcome.models.joined(separator: " "))],
            payload: .verdict(verdict))
        return [OutboundEnvelope(topic: verdictTopic, envelope: envelope)]
    }
}
