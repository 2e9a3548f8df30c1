import ArgumentParser
import Foundation
import Logging
import MeshCLI
import MeshCatalog
import MeshCompliance
import MeshLogging
import MeshRuntime
import MeshSigning
import MeshTransport
import MeshWire

@main
struct ComplianceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mesh-compliance",
        abstract: "Checks every task result against the policy packs and publishes a verdict.",
        discussion: """
            Policy packs live in ./Policies: HIPAA Safe Harbor identifiers, secrets, 21 CFR Part 11
            signatures, IEC 62304 traceability. Every verdict names the policy bundle hash and the
            rules that decided it; findings never repeat the sensitive value in full.
            """)

    @Option(help: ArgumentHelp("Policy pack folder.", valueName: "dir")) var policies = "Policies"
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var catalog: CatalogOptions
    @OptionGroup var options: RoleOptions

    func run() async throws {
        MeshLogging.bootstrap(role: MeshRoles.compliance)
        ProcessMetrics.bootstrap()
        let logger = Logger(label: MeshRoles.compliance)
        let loaded = try catalog.load()
        guard let verdictTopic = loaded.topics(for: PayloadKind.verdict.rawValue, producedBy: MeshRoles.compliance).first?.name else {
            throw ValidationError("the catalog lets role \(MeshRoles.compliance) write verdicts to no topic")
        }
        let bundle = try PolicyBundle.load(directory: policies)
        logger.info("policy bundle \(bundle.hash): \(bundle.rules.count) rules")
        let worker = try RoleProcess.worker(
            role: MeshRoles.compliance, topics: loaded.topics(consumedBy: MeshRoles.compliance).map(\.name),
            handler: ComplianceRoleHandler(bundle: bundle, verdictTopic: verdictTopic), handlerKind: "policy-packs",
            connection: connection, catalog: loaded, options: options, logger: logger)
        await RoleProcess.run(worker, options: options, logger: logger)
    }
}

struct ComplianceRoleHandler: RoleHandler {
    let bundle: PolicyBundle
    /// The catalog's topic for compliance verdicts.
    let verdictTopic: String

    func handle(_ inbound: InboundEnvelope) async throws -> [OutboundEnvelope] {
        guard case .taskResult(let result) = inbound.envelope.payload else { return [] }
        let evaluation = bundle.evaluate(Self.subject(of: result, envelope: inbound.envelope))
        ComplianceMetrics.record(evaluation)
        let verdict = Verdict(
            taskID: result.taskID, planID: result.planID, attempt: result.attempt, kind: .compliance,
            decision: Self.decision(evaluation.decision),
            findings: evaluation.findings.map { f in
                // The wire finding has one location string: the field path rides along with it,
                // and the identifier class with the message.
                Finding(ruleID: f.ruleId, severity: Self.severity(f.severity),
                        message: f.identifierClass.map { "\(f.message) [\($0.label)]" } ?? f.message, location: f.locationWithPath)
            },
            resultEnvelopeID: inbound.envelope.id, policyBundleHash: evaluation.bundleHash,
            decidedByRules: evaluation.decidingRuleIds, reviewerID: MeshRoles.compliance,
            approvalRequiredBy: evaluation.approvalRequiredBy)
        // Deterministic like the reviewer's: the result's time, the role's source.
        let id = DerivedID.make(causeID: inbound.envelope.id, role: MeshRoles.compliance, output: "verdict")
        let envelope = Envelope(
            id: id, source: SourcePath.make(role: MeshRoles.compliance), correlationID: inbound.envelope.correlationID,
            causationID: inbound.envelope.id, subject: result.taskID,
            traceparent: TraceContext.traceparent(ofOutput: id, causedBy: inbound.envelope),
            timeUnixMicros: inbound.envelope.timeUnixMicros, payload: .verdict(verdict))
        return [OutboundEnvelope(topic: verdictTopic, envelope: envelope)]
    }

    /// The record compliance judges. Its risk and safety class are the plan's, which the
    /// result carries from its assignment (see `TaskClassification`); a task without a risk
    /// class counts as medium risk.
    static func subject(of result: TaskResult, envelope: Envelope) -> ComplianceSubject {
        var attributes: [String: String] = [:]
        for attribute in envelope.attributes { attributes[attribute.key] = attribute.value }
        let classification = TaskClassification(attributes: envelope.attributes)
        return ComplianceSubject(
            taskId: result.taskID, role: SourcePath.role(of: envelope.source) ?? "",
            risk: classification.riskClassName.flatMap(MeshCompliance.RiskClass.init(rawValue:)) ?? .medium,
            safetyClass: classification.safetyClassName.flatMap(MeshCompliance.SafetyClass.init(rawValue:)),
            attributes: attributes,
            artifacts: result.artifacts.map {
                MeshCompliance.Artifact(name: $0.name, mediaType: $0.mediaType, content: String(decoding: $0.content, as: UTF8.self))
            })
    }

    static func decision(_ decision: MeshCompliance.Decision) -> MeshWire.Decision {
        switch decision {
        case .approve: return .approve
        case .requestChanges: return .requestChanges
        case .reject: return .reject
        }
    }

    static func severity(_ severity: MeshCompliance.Severity) -> MeshWire.Severity {
        switch severity {
        case .info: return .info
        case .low: return .low
        case .medium: return .medium
        case .high: return .high
        case .critical: return .critical
        }
    }
}
