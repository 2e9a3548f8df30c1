import Foundation
import MeshCatalog
import MeshOrchestration
import MeshWire
import XCTest

/// The shipped `Playbooks/` folder of this checkout.
let playbooksFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Playbooks")

/// The shipped catalog (`Topics/`).
let shippedCatalog: Catalog = {
    let topics = playbooksFolder.deletingLastPathComponent().appendingPathComponent("Topics")
    do { return try CatalogLoader.load(directory: topics) } catch { fatalError("shipped catalog: \(error)") }
}()

/// The agent roles of the shipped catalog, which playbooks may address.
let shippedAgentRoles = shippedCatalog.agentRoles

/// The shipped playbooks, loaded once.
let shippedLibrary: PlaybookLibrary = {
    do { return try PlaybookLibrary.load(directory: playbooksFolder, agentRoles: shippedAgentRoles) } catch {
        fatalError("shipped playbooks: \(error)")
    }
}()

extension AgentRole {
    static let coding = AgentRole("coding")
    static let documentation = AgentRole("documentation")
}

/// Drives one objective through an orchestrator, recording every event and output.
final class Harness {
    let orchestrator: Orchestrator
    let correlationID: String
    var state = OrchestratorState()
    private(set) var events: [Envelope] = []
    private(set) var outputs: [Output] = []
    var clock: Int64 = 1_700_000_000_000_000
    private var counter = 0
    /// Envelope id of the latest result sent per task.
    private(set) var resultIDs: [String: String] = [:]

    init(library: PlaybookLibrary = shippedLibrary, correlationID: String = "obj-1") {
        orchestrator = Orchestrator(playbooks: library)
        self.correlationID = correlationID
    }

    /// Applies an envelope built around `payload`; returns its outputs.
    @discardableResult
    func send(_ payload: Payload, source: String = "/mesh/test", id: String? = nil, attributes: [Attribute] = []) -> [Output] {
        counter += 1
        clock += 1_000_000
        let envelope = Envelope(id: id ?? "evt-\(counter)", source: source, correlationID: correlationID,
                                traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                                timeUnixMicros: clock, attributes: attributes, payload: payload)
        return apply(envelope)
    }

    /// Applies a ready-made envelope.
    @discardableResult
    func apply(_ envelope: Envelope) -> [Output] {
        events.append(envelope)
        let (next, emitted) = orchestrator.handle(state, envelope)
        state = next
        outputs += emitted
        return emitted
    }

    @discardableResult
    func submit(_ playbook: String, title: String = "Add allergy banner", parameters: [Attribute] = [],
                inputs: [Artifact] = []) -> [Output] {
        send(.objectiveSubmitted(ObjectiveSubmitted(
            objectiveID: correlationID, title: title, description: "Show allergies on the chart header.",
            playbook: playbook, submittedBy: "alice", parameters: parameters, inputs: inputs)))
    }

    var plan: PlanState { state.plan(correlationID)! }
    var planID: String { plan.planID }
    func task(_ id: String) -> TaskRecord { plan.task(id)! }

    /// A result as an agent sends it: carrying the classification of its assignment unless
    /// `classification` says otherwise.
    @discardableResult
    func result(_ taskID: String, attempt: UInt32? = nil, failed error: String? = nil,
                artifacts: [Artifact]? = nil, agent: String = "agent-7",
                classification: TaskClassification? = nil) -> [Output] {
        let attempt = attempt ?? task(taskID).attempt
        let payload = TaskResult(
            taskID: taskID, planID: planID, attempt: attempt, state: error == nil ? .completed : .failed,
            summary: "done", artifacts: artifacts ?? [Artifact(name: "\(taskID).txt", content: Array("\(taskID) v\(attempt)".utf8))],
            error: error ?? "", agentID: agent)
        let emitted = send(.taskResult(payload), source: "/mesh/agent/\(agent)",
                           attributes: (classification ?? plan.task(taskID)?.spec.classification)?.attributes ?? [])
        resultIDs[taskID] = events.last!.id
        return emitted
    }

    @discardableResult
    func verdict(_ taskID: String, _ kind: VerdictKind, _ decision: Decision, findings: [Finding] = [],
                 attempt: UInt32? = nil, resultID: String? = nil, approvalRequiredBy: [String] = []) -> [Output] {
        send(.verdict(Verdict(
            taskID: taskID, planID: planID, attempt: attempt ?? task(taskID).attempt, kind: kind, decision: decision,
            findings: findings, resultEnvelopeID: resultID ?? resultIDs[taskID] ?? "", reviewerID: "\(kind.protoName)-bot",
            approvalRequiredBy: approvalRequiredBy)))
    }

    /// A completed result approved by every required machine verdict.
    @discardableResult
    func pass(_ taskID: String, agent: String = "agent-7") -> [Output] {
        var emitted = result(taskID, agent: agent)
        for kind in task(taskID).spec.machineVerdicts { emitted += verdict(taskID, kind, .approve) }
        return emitted
    }

    @discardableResult
    func decide(_ decision: Decision, signer: String = "bob", sha: [UInt8]? = nil, approvalID: String? = nil,
                signed: Bool = true) -> [Output] {
        let pending = plan.pendingApprovals.first ?? plan.approvals.last!
        return send(.approvalDecision(ApprovalDecision(
            approvalID: approvalID ?? pending.approvalID, decision: decision, signerID: signer, printedName: "Bob Approver",
            meaning: decision == .approve ? "approved" : "rejected", signedAtUnixMicros: clock, reason: "checked",
            resultSHA256: sha ?? pending.resultSHA256,
            signature: signed ? Signature(keyID: "person:\(signer)", algorithm: .ed25519, signature: [1, 2, 3]) : nil)),
            source: "/mesh/approver/meshctl")
    }
}

/// A long feature run: rework, a failed attempt, an approval, parallel tasks.
func recordedFeatureRun() -> Harness {
    let h = Harness()
    h.submit("feature", parameters: [Attribute("component", "chart")])
    h.pass("discover")
    h.result("implement", failed: "compiler crashed")
    h.result("document")
    h.verdict("document", .review, .requestChanges, findings: [Finding(ruleID: "doc.tone", severity: .low, message: "jargon")])
    h.pass("implement")
    h.decide(.approve)
    h.pass("document")
    h.pass("test")
    h.pass("secure")
    XCTAssertEqual(h.plan.outcome?.state, .completed)
    return h
}

// MARK: Output inspection

extension Array where Element == Output {
    var assignments: [TaskAssigned] {
        compactMap { if case .taskAssigned(let a) = $0.envelope.payload { a } else { nil } }
    }
    var approvalRequests: [ApprovalRequested] {
        compactMap { if case .approvalRequested(let a) = $0.envelope.payload { a } else { nil } }
    }
    var statuses: [PlanStatus] {
        compactMap { if case .planStatus(let s) = $0.envelope.payload { s } else { nil } }
    }
    var created: PlanCreated? {
        lazy.compactMap { if case .planCreated(let p) = $0.envelope.payload { p } else { nil } }.first
    }
    var completed: PlanCompleted? {
        lazy.compactMap { if case .planCompleted(let p) = $0.envelope.payload { p } else { nil } }.first
    }
    var failed: PlanFailed? {
        lazy.compactMap { if case .planFailed(let p) = $0.envelope.payload { p } else { nil } }.first
    }
    var kinds: [PayloadKind] { map(\.envelope.payload.kind) }
}

/// Inline playbook text parsed into a library.
func library(_ yaml: String, file: String = "Playbooks/test.yaml") throws -> PlaybookLibrary {
    PlaybookLibrary([try PlaybookLibrary.parse(yaml: yaml, file: file, agentRoles: shippedAgentRoles)])
}

/// The issues thrown when parsing `yaml`, or a failure when it parses.
func issues(_ yaml: String, file: String = "Playbooks/bad.yaml", agentRoles: [String] = shippedAgentRoles,
            line: UInt = #line) -> [PlaybookIssue] {
    do {
        _ = try PlaybookLibrary.parse(yaml: yaml, file: file, agentRoles: agentRoles)
        XCTFail("expected the playbook to be rejected", line: line)
        return []
    } catch let error as PlaybookError {
        return error.issues
    } catch {
        XCTFail("unexpected error \(error)", line: line)
        return []
    }
}
