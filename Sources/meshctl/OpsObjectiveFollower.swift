import Foundation
import MeshCatalog
import MeshOps
import MeshKafka
import MeshLogging
import MeshOrchestration
import MeshTransport
import MeshWire

/// How following an objective ended.
enum FollowOutcome: Sendable {
    case completed(PlanCompleted)
    case failed(PlanFailed)
    case timedOut
    /// The follower's task was cancelled (Ctrl-C in `demo`).
    case interrupted

    /// Process exit code: 0 completed, 1 failed, 2 timed out, 130 interrupted.
    var exitCode: Int32 {
        switch self {
        case .completed: 0
        case .failed: 1
        case .timedOut: 2
        case .interrupted: 130
        }
    }
}

/// Follows one objective live: reads its verified events from every topic that carries them
/// (from the beginning, so nothing published before it started is missed), prints one line
/// per event and returns when the plan completes or fails, or at the timeout.
///
/// Events of different topics arrive in no particular order, so they are held for a short
/// window and released in event-time order. `submit --wait`, `demo` and the tests use it.
final class ObjectiveFollower: @unchecked Sendable {
    typealias ApprovalHook = @Sendable (ApprovalRequested, InboundEnvelope) async -> Void

    static let topics = [MeshTopics.objectives, MeshTopics.plans, MeshTopics.results, MeshTopics.verdicts, MeshTopics.approvals]

    let client: OpsMeshClient
    let correlationID: String
    /// The catalog's task topics, followed for the assignments.
    let taskTopics: [String]
    /// Called once per approval request of this objective (the demo approves through it).
    var onApprovalRequested: ApprovalHook?
    /// Where lines go; stdout by default.
    var output: @Sendable (String) -> Void = { opsPrint($0) }
    /// Also print the orchestrator's plan-level notes (they repeat the task lines, but say
    /// when a decision was ignored and why).
    var showPlanNotes = false
    /// How long events are held to be put in time order.
    var reorderWindow: Duration = .milliseconds(800)
    /// How long an event waits for its cause to be printed first (causes outside the
    /// followed topics never come; they only delay the line this long).
    var causeWait: Duration = .seconds(5)

    private var roles: [String: String] = [:]
    private var lastTaskStatus: [String: TaskStatus] = [:]
    private var lastPlanDetail = ""
    private var seen = Set<String>()

    init(client: OpsMeshClient, correlationID: String, catalog: Catalog?) {
        self.client = client
        self.correlationID = correlationID
        taskTopics = catalog?.topics.filter { $0.taskFor != nil }.map(\.name) ?? []
    }

    func follow(timeout: Duration) async throws -> FollowOutcome {
        let subscriber = try client.subscriber(try client.partitions(of: Self.topics + taskTopics))
        let inbox = OpsInbox()
        let wanted = correlationID
        let reader = Task.detached {
            while let inbound = await subscriber.next() {
                if inbound.envelope.correlationID == wanted { inbox.add(inbound) }
            }
        }
        defer {
            subscriber.consumer.close()
            reader.cancel()
        }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
            if Task.isCancelled { return .interrupted }
            var ready = inbox.take(heldAtLeast: reorderWindow, printed: seen, causeWait: causeWait)
            if ready.contains(where: { Self.isTerminal($0.envelope) }) {
                ready += inbox.take(heldAtLeast: .zero, printed: seen, causeWait: .zero)
            }
            for inbound in Self.ordered(ready) {
                if let outcome = await handle(inbound) { return outcome }
            }
        }
        output(line(nil, "timeout", "objective \(correlationID) still running after \(timeout); `meshctl status \(correlationID)` shows where it is"))
        return .timedOut
    }

    static func isTerminal(_ envelope: Envelope) -> Bool {
        switch envelope.payload {
        case .planCompleted, .planFailed: true
        default: false
        }
    }

    /// Event-time order. The orchestrator stamps what it emits with the time of the event that
    /// caused it, so among equal times causes (objectives, results, verdicts, decisions) come
    /// before effects (plans, assignments, requests, status, outcome); then arrival order.
    static func ordered(_ items: [InboundEnvelope]) -> [InboundEnvelope] {
        func rank(_ payload: Payload) -> Int {
            switch payload {
            case .objectiveSubmitted, .objectiveCancelRequested: 0
            case .taskResult, .verdict, .approvalDecision: 1
            case .planCreated: 2
            case .taskAssigned, .approvalRequested: 3
            case .planStatus: 4
            case .planCompleted, .planFailed: 5
            case .agentHeartbeat, .replayRequested, .orchestratorSnapshot: 6
            }
        }
        return items.enumerated().sorted { lhs, rhs in
            let left = (lhs.element.envelope.timeUnixMicros, rank(lhs.element.envelope.payload), lhs.offset)
            let right = (rhs.element.envelope.timeUnixMicros, rank(rhs.element.envelope.payload), rhs.offset)
            return left < right
        }.map(\.element)
    }

    /// Prints the event; returns the outcome for a terminal one.
    func handle(_ inbound: InboundEnvelope) async -> FollowOutcome? {
        let envelope = inbound.envelope
        guard seen.insert(envelope.id).inserted else { return nil }
        let signer = inbound.opened.signer.principal
        switch envelope.payload {
        case .objectiveSubmitted(let objective):
            output(line(envelope, "submitted", "objective \(objective.objectiveID) \"\(objective.title)\" playbook "
                        + "\(objective.playbook) by \(objective.submittedBy)"
                        + (objective.inputs.isEmpty ? "" : ", \(objective.inputs.count) input(s)")))
        case .objectiveCancelRequested(let cancel):
            output(line(envelope, "cancel", "requested by \(cancel.requestedBy): \(cancel.reason)"))
        case .planCreated(let plan):
            for task in plan.tasks { roles[task.taskID] = task.role }
            let tasks = plan.tasks.map { "\($0.taskID) (\($0.role))" }.joined(separator: ", ")
            output(line(envelope, "planned", "plan \(plan.planID) from playbook \(plan.playbook): "
                        + "\(plan.tasks.count) task(s): \(tasks)"))
        case .planStatus(let status):
            for task in status.tasks {
                let previous = lastTaskStatus[task.taskID]
                guard previous?.state != task.state || previous?.attempt != task.attempt || previous?.detail != task.detail
                else { continue }
                lastTaskStatus[task.taskID] = task
                output(line(envelope, "status", "\(task.taskID): \(OpsNames.state(task.state)) (attempt \(task.attempt))"
                            + (task.detail.isEmpty ? "" : " — \(task.detail)")))
            }
            if showPlanNotes, !status.detail.isEmpty, status.detail != lastPlanDetail {
                lastPlanDetail = status.detail
                output(line(envelope, "status", "plan: \(status.detail)"))
            }
        case .taskAssigned(let task):
            roles[task.taskID] = task.role
            let rework = task.feedback.isEmpty ? "" : " (rework with \(task.feedback.count) finding(s) as feedback)"
            output(line(envelope, "assigned", "\(task.taskID) -> \(task.role) attempt \(task.attempt)\(rework)"))
        case .taskResult(let result):
            let artifacts = result.artifacts.map { "\($0.name) \($0.content.count) B" }.joined(separator: ", ")
            var text = "\(result.taskID) attempt \(result.attempt) by \(result.agentID): \(OpsNames.state(result.state))"
            if !result.summary.isEmpty { text += " — \(Self.shortened(Self.oneLine(result.summary)))" }
            if !artifacts.isEmpty { text += " [\(artifacts)]" }
            if !result.error.isEmpty { text += " error: \(Self.oneLine(result.error))" }
            output(line(envelope, "result", text))
        case .verdict(let verdict):
            output(line(envelope, "verdict", "\(verdict.taskID) attempt \(verdict.attempt): \(Self.kindName(verdict.kind)) "
                        + "\(OpsNames.decision(verdict.decision)) by \(verdict.reviewerID.isEmpty ? signer : verdict.reviewerID)"
                        + (verdict.findings.isEmpty ? "" : " with \(verdict.findings.count) finding(s)")
                        + (verdict.approvalRequiredBy.isEmpty
                            ? "" : "; accepted only with a human e-signature (\(verdict.approvalRequiredBy.joined(separator: ", ")))")))
            for finding in verdict.findings {
                output("             finding \(Self.findingText(finding))")
            }
        case .approvalRequested(let request):
            output(line(envelope, "approval", "requested \(request.approvalID) for \(request.taskID) attempt "
                        + "\(request.attempt) (author \(request.authorID)): \(request.reason); deadline "
                        + RFC3339.format(unixMicros: request.deadlineUnixMicros, fractionDigits: 0)))
            if let hook = onApprovalRequested { await hook(request, inbound) }
        case .approvalDecision(let decision):
            let check: String
            if decision.signerID == "system:deadline" {
                check = "recorded by the orchestrator"
            } else {
                do {
                    let verified = try ApprovalManifest.verify(decision, trust: client.opener.trust)
                    check = "signature verified (key \(verified.keyId))"
                } catch {
                    check = "signature NOT valid: \(error)"
                }
            }
            let verb = decision.decision == .approve ? "approved" : (decision.decision == .reject ? "rejected" : OpsNames.decision(decision.decision))
            output(line(envelope, "decision", "\(decision.approvalID) \(verb) by \(decision.signerID) "
                        + "\"\(decision.printedName)\" (meaning \(decision.meaning))"
                        + (decision.reason.isEmpty ? "" : ": \(Self.oneLine(decision.reason))") + "; \(check)"))
        case .planCompleted(let completed):
            output(line(envelope, "completed", "plan \(completed.planID): \(Self.oneLine(completed.summary))"))
            for artifact in completed.artifacts {
                output("             artifact \(artifact.name) (\(artifact.mediaType), \(artifact.content.count) bytes)")
            }
            return .completed(completed)
        case .planFailed(let failed):
            output(line(envelope, "failed", "plan \(failed.planID): task \(failed.failedTaskID.isEmpty ? "-" : failed.failedTaskID) "
                        + "\(OpsNames.state(failed.finalState)): \(failed.reason)"))
            return .failed(failed)
        case .agentHeartbeat, .replayRequested, .orchestratorSnapshot:
            break
        }
        return nil
    }

    private func line(_ envelope: Envelope?, _ label: String, _ text: String) -> String {
        let time = envelope.map { RFC3339.format(unixMicros: $0.timeUnixMicros, fractionDigits: 3) } ?? ""
        let clock = time.split(separator: "T").last.map { String($0.prefix(12)) } ?? ""
        return "\(clock.padding(toLength: 12, withPad: " ", startingAt: 0)) \(label.padding(toLength: 10, withPad: " ", startingAt: 0)) \(text)"
    }

    // MARK: - Names

    static func kindName(_ kind: VerdictKind) -> String {
        switch kind {
        case .review: "review"
        case .compliance: "compliance"
        case .human: "human"
        default: kind.protoName.lowercased()
        }
    }

    static func severityName(_ severity: Severity) -> String {
        severity.protoName.replacingOccurrences(of: "SEVERITY_", with: "").lowercased()
    }

    static func findingText(_ finding: Finding) -> String {
        "[\(finding.ruleID) \(severityName(finding.severity))] \(oneLine(finding.message))"
            + (finding.location.isEmpty ? "" : " at \(finding.location)")
    }

    static func shortened(_ text: String, to limit: Int = 160) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " / ")
    }
}

/// Envelopes received and not yet printed, with when they arrived.
final class OpsInbox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [(arrived: ContinuousClock.Instant, inbound: InboundEnvelope)] = []

    func add(_ inbound: InboundEnvelope) {
        lock.withLock { items.append((.now, inbound)) }
    }

    /// Events held at least `window`, except one whose cause (an event of this objective) is
    /// neither in `printed` nor released with it: that one waits for its cause, up to
    /// `causeWait`. Topics are fetched independently, so under load an effect (a rework
    /// assignment) can arrive well after the reorder window before its cause (the verdict).
    func take(heldAtLeast window: Duration, printed: Set<String>, causeWait: Duration) -> [InboundEnvelope] {
        let now = ContinuousClock.now
        return lock.withLock {
            var released = Set(items.indices.filter { now - items[$0].arrived >= window })
            var changed = true
            while changed {
                changed = false
                let releasedIDs = Set(released.map { items[$0].inbound.envelope.id })
                for index in released {
                    let cause = items[index].inbound.envelope.causationID
                    guard !cause.isEmpty, !printed.contains(cause), !releasedIDs.contains(cause),
                          now - items[index].arrived < causeWait else { continue }
                    released.remove(index)
                    changed = true
                }
            }
            let ready = released.sorted().map { items[$0].inbound }
            items = items.indices.filter { !released.contains($0) }.map { items[$0] }
            return ready
        }
    }
}
