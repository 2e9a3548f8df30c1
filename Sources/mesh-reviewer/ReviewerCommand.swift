import ArgumentParser
import Foundation
import Logging
import MeshCLI
import MeshLogging
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
            forbidden markers, code without tests, optional external checkers. Each verdict names
            the rules hash and the rules that decided it. Run several replicas to share the load;
            each result is judged once per consumer group.
            """)

    @Option(help: ArgumentHelp("Review rules file or folder.", valueName: "path")) var rules = "Rules"
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var catalog: CatalogOptions
    @OptionGroup var options: RoleOptions

    func run() async throws {
        MeshLogging.bootstrap(role: "reviewer")
        ProcessMetrics.bootstrap()
        let logger = Logger(label: "reviewer")
        let loaded = try catalog.load()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: rules, isDirectory: &isDirectory) else {
            throw ValidationError("no review rules at \(rules): pass --rules <file or folder>")
        }
        let reviewRules = isDirectory.boolValue ? try ReviewRules.load(directory: rules) : try ReviewRules.load(file: rules)
        logger.info("review rules \(reviewRules.rulesVersion), hash \(reviewRules.rulesHash)")
        let worker = try RoleProcess.worker(
            role: "reviewer", topics: ["mesh.results"],
            handler: ReviewerRoleHandler(engine: ReviewEngine(rules: reviewRules)), handlerKind: "review-rules",
            connection: connection, catalog: loaded, options: options, logger: logger)
        await RoleProcess.run(worker, options: options, logger: logger)
    }
}

struct ReviewerRoleHandler: RoleHandler {
    let engine: ReviewEngine

    func handle(_ inbound: InboundEnvelope) async throws -> [OutboundEnvelope] {
        guard case .taskResult(let result) = inbound.envelope.payload else { return [] }
        let authorRole = SourcePath.role(of: inbound.envelope.source) ?? ""
        let outcome = await engine.review(result: result, role: authorRole)
        // A verdict of the rules is a function of the result and the rules' version: it takes
        // its time from the result and names the role, not this instance, so a redelivered
        // result yields the same bytes wherever it is judged again.
        let verdict = outcome.verdict(for: result, resultEnvelopeID: inbound.envelope.id, reviewerID: "reviewer")
        let id = DerivedID.make(causeID: inbound.envelope.id, role: "reviewer", output: "verdict")
        let envelope = Envelope(
            id: id, source: SourcePath.make(role: "reviewer"), correlationID: inbound.envelope.correlationID,
            causationID: inbound.envelope.id, subject: result.taskID,
            traceparent: TraceContext.traceparent(ofOutput: id, causedBy: inbound.envelope),
            timeUnixMicros: inbound.envelope.timeUnixMicros, payload: .verdict(verdict))
        return [OutboundEnvelope(topic: "mesh.verdicts", envelope: envelope)]
    }
}
