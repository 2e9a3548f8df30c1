import MeshAudit
import MeshCatalog
import MeshOrchestration
import MeshWire

/// One stored record decoded: the audit row, its sealed framing and the envelope inside.
struct StoredEnvelope {
    var record: AuditRecord
    var sealed: SealedEnvelope
    var envelope: Envelope
}

/// Deterministic replay of one objective's orchestration from the audit store.
///
/// The orchestrator's snapshots (`agentmesh.orchestrator.snapshot.v1`) are the record of the
/// order in which it applied events: each names the input it follows (`lastEventID`). The
/// rebuild takes them in audit sequence order, finds each named input among the stored
/// envelopes, stamps it from its stored bytes as the runtime did (`ResultDigest`), folds
/// `Orchestrator.handleRecordingState` from an empty state and checks, per event:
/// 1. every output the orchestrator computes is in the log, field for field
///    (`Orchestrator.compare`) and byte for byte (this build's encoding against the stored
///    envelope bytes), on the topic it would be published to;
/// 2. the plan state after the event equals the state in the recorded snapshot, and the
///    recomputed snapshot envelope equals the recorded one byte for byte.
/// Finally no orchestrator output in the log may be left unexplained by the replay.
/// Only records the audit sink verified take part: the runtime drops anything else before
/// the orchestrator sees it, and a forged snapshot must not steer the rebuild.
struct ReplayRebuild {
    let orchestrator: Orchestrator
    /// Where the orchestrator's outputs go.
    let catalog: Catalog
    let codec = EnvelopeCodec()

    /// What the rebuild found.
    struct Result {
        var events = 0
        var outputs = 0
        var snapshots = 0
        /// Records that could not be decoded (left out; reported).
        var undecodable: [AuditRecord] = []
        /// Records the sink could not verify (left out: the runtime never applies them).
        var unverified: [AuditRecord] = []
        var finalPlan: PlanState?
        /// The first problem, or nil when the log is reproduced exactly.
        var failure: Failure?

        var matches: Bool { failure == nil }

        var outcomeText: String {
            guard let plan = finalPlan else { return "no plan" }
            guard let outcome = plan.outcome else { return "in progress" }
            switch outcome.state {
            case .completed: return "completed"
            case .canceled: return "canceled"
            default:
                let what = outcome.state == .rejected ? "rejected" : "failed"
                return outcome.taskID.isEmpty ? "\(what) (\(outcome.text))" : "\(what) at task \(outcome.taskID) (\(outcome.text))"
            }
        }
    }

    /// Why a rebuild did not match.
    enum Failure: CustomStringConvertible {
        /// A snapshot names an input the store does not hold.
        case missingEvent(snapshotIndex: Int, snapshotSequence: Int64, eventID: String)
        /// Replaying the event named by snapshot `index` disagreed with the log.
        case diverged(index: Int, event: StoredEnvelope, detail: String)
        /// An orchestrator output in the log that no replayed event produces.
        case unexplained(StoredEnvelope)

        var description: String {
            switch self {
            case .missingEvent(let index, let sequence, let eventID):
                return "event #\(index) (\(eventID)) is missing from the store: the snapshot at sequence \(sequence) "
                    + "says the orchestrator applied it, but no stored record has that envelope id"
            case .diverged(let index, let event, let detail):
                return "event #\(index) (\(event.envelope.id), \(event.envelope.type), sequence \(event.record.sequence), "
                    + "\(event.record.input.kafka.topic)) diverges: \(detail)"
            case .unexplained(let stored):
                return "the log has orchestrator output \(stored.envelope.type) \(stored.envelope.id) at sequence "
                    + "\(stored.record.sequence) (caused by \(stored.envelope.causationID)) that no replayed event produces"
            }
        }
    }

    func run(_ objective: RecordedObjective) throws -> Result {
        var result = Result()
        var stored: [StoredEnvelope] = []
        for record in objective.flowRecords {
            guard record.input.verification.isVerified else {
                result.unverified.append(record)
                continue
            }
            guard let sealed = try? codec.decodeSealed(record.input.raw), let envelope = try? codec.decode(sealed.envelope)
            else {
                result.undecodable.append(record)
                continue
            }
            stored.append(StoredEnvelope(record: record, sealed: sealed, envelope: envelope))
        }
        let byID = Dictionary(stored.map { ($0.envelope.id, $0) }, uniquingKeysWith: { first, _ in first })
        let snapshots = stored.filter { Self.snapshot(of: $0.envelope) != nil && $0.envelope.source == Orchestrator.source }
        guard !snapshots.isEmpty else { throw ReplayError.noSnapshots(correlationID: objective.correlationID) }
        // Orchestrator outputs in the log, apart from snapshots. Expiry decisions are
        // published by the orchestrator's timer and come back as inputs; `compare` checks
        // them when they are applied.
        let recordedOutputs = stored.filter {
            $0.envelope.source == Orchestrator.source && Self.snapshot(of: $0.envelope) == nil && !Self.isExpiryDecision($0.envelope)
        }
        var state = OrchestratorState()
        var produced = Set<String>()
        for (index, snapshotRecord) in snapshots.enumerated() {
            let recordedSnapshot = Self.snapshot(of: snapshotRecord.envelope)!
            guard let event = byID[recordedSnapshot.lastEventID] else {
                result.failure = .missingEvent(snapshotIndex: index, snapshotSequence: snapshotRecord.record.sequence,
                                               eventID: recordedSnapshot.lastEventID)
                return result
            }
            func diverged(_ detail: String) -> Result {
                var failed = result
                failed.failure = .diverged(index: index, event: event, detail: detail)
                return failed
            }
            let stamped = try ResultDigest.stamp(sealed: event.sealed, codec: codec)

            // Outputs, field by field against the log (and expiry decisions justified).
            let report = orchestrator.compare(events: [stamped], recorded: recordedOutputs.map(\.envelope), from: state)
            if var divergence = report.divergence {
                divergence.eventIndex = index
                return diverged(Self.detail(of: divergence))
            }
            let (next, outputs) = orchestrator.handleRecordingState(state, stamped)

            // Outputs, byte for byte and topic by topic.
            for output in outputs {
                result.outputs += 1
                guard let logged = byID[output.envelope.id] else {
                    return diverged("replay emits \(output.envelope.type) \(output.envelope.id), which the log does not contain")
                }
                if output.destination == .changelog { continue }  // checked below, after the state
                let bytes = try codec.encode(output.envelope)
                if bytes != logged.sealed.envelope {
                    return diverged("output \(output.envelope.type) \(output.envelope.id) (sequence \(logged.record.sequence)) "
                        + "differs from the stored envelope bytes")
                }
                let topic = output.destination.topic(in: catalog) ?? "(no topic in the catalog)"
                if logged.record.input.kafka.topic != topic {
                    return diverged("output \(output.envelope.type) \(output.envelope.id) was recorded on "
                        + "\(logged.record.input.kafka.topic) but the orchestrator publishes it to \(topic)")
                }
                produced.insert(output.envelope.id)
            }

            // State after the event against the recorded snapshot.
            guard let recomputed = outputs.first(where: { $0.destination == .changelog }) else {
                return diverged("the log has snapshot \(snapshotRecord.envelope.id) (sequence \(snapshotRecord.record.sequence)) "
                    + "after this event, but replaying it changes no plan")
            }
            if recomputed.envelope.id != snapshotRecord.envelope.id {
                return diverged("the recomputed snapshot is \(recomputed.envelope.id), the recorded one "
                    + "\(snapshotRecord.envelope.id) (sequence \(snapshotRecord.record.sequence))")
            }
            let recordedPlan: PlanState
            do { recordedPlan = try PlanSnapshot.decode(recordedSnapshot.state) } catch {
                return diverged("the recorded snapshot at sequence \(snapshotRecord.record.sequence) cannot be decoded: \(error)")
            }
            if let plan = next.plan(objective.correlationID), plan != recordedPlan {
                return diverged("the state after the event differs from the recorded snapshot (sequence "
                    + "\(snapshotRecord.record.sequence)) in \(Self.firstDifference(recordedPlan, plan))")
            }
            if try codec.encode(recomputed.envelope) != snapshotRecord.sealed.envelope {
                return diverged("snapshot \(snapshotRecord.envelope.id) (sequence \(snapshotRecord.record.sequence)) differs "
                    + "from the stored envelope bytes")
            }
            produced.insert(recomputed.envelope.id)
            result.events += 1
            result.snapshots += 1
            state = next
            result.finalPlan = next.plan(objective.correlationID)
        }
        if let extra = recordedOutputs.first(where: { !produced.contains($0.envelope.id) }) {
            result.failure = .unexplained(extra)
        }
        return result
    }

    static func snapshot(of envelope: Envelope) -> OrchestratorSnapshot? {
        if case .orchestratorSnapshot(let snapshot) = envelope.payload { return snapshot }
        return nil
    }

    static func isExpiryDecision(_ envelope: Envelope) -> Bool {
        guard case .approvalDecision(let decision) = envelope.payload else { return false }
        return decision.signerID == Orchestrator.deadlineSigner && envelope.source == Orchestrator.source
    }

    /// The divergence text without the event prefix (the caller names the event).
    static func detail(of divergence: ReplayDivergence) -> String {
        let text = divergence.description
        guard let range = text.range(of: "): ") else { return text }
        return String(text[range.upperBound...])
    }

    /// The first part of a plan that differs, e.g. `tasks[code].attempt` or `outcome`.
    static func firstDifference(_ recorded: PlanState, _ replayed: PlanState) -> String {
        if recorded.planID != replayed.planID { return "plan_id" }
        if recorded.objective != replayed.objective { return "objective" }
        if recorded.playbookName != replayed.playbookName || recorded.playbookVersion != replayed.playbookVersion
            || recorded.playbookHash != replayed.playbookHash {
            return "playbook (recorded \(recorded.playbookName) v\(recorded.playbookVersion) \(recorded.playbookHash.prefix(12)), "
                + "replayed \(replayed.playbookName) v\(replayed.playbookVersion) \(replayed.playbookHash.prefix(12)))"
        }
        if recorded.tasks.map(\.id) != replayed.tasks.map(\.id) { return "the task list" }
        for (a, b) in zip(recorded.tasks, replayed.tasks) where a != b {
            if a.state != b.state || a.attempt != b.attempt {
                return "task \(a.id) (recorded \(a.state) attempt \(a.attempt), replayed \(b.state) attempt \(b.attempt))"
            }
            if a.result != b.result { return "task \(a.id) result" }
            if a.verdicts != b.verdicts { return "task \(a.id) verdicts" }
            return "task \(a.id)"
        }
        if recorded.approvals != replayed.approvals { return "approvals" }
        if recorded.processedEventIDs != replayed.processedEventIDs { return "processed event ids" }
        if recorded.outcome != replayed.outcome {
            return "outcome (recorded \(recorded.outcome.map { "\($0.state)" } ?? "none"), "
                + "replayed \(replayed.outcome.map { "\($0.state)" } ?? "none"))"
        }
        return "its encoding"
    }
}
