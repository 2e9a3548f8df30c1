import Foundation
import Logging
import MeshCatalog
import MeshKafka
import MeshOrchestration
import MeshRuntime
import MeshSigning
import MeshTransport
import MeshWire

/// Runs the pure plan state machine inside the role runtime: holds the plans of the
/// partitions this instance owns, restores them from the changelog, checks people's
/// approval signatures, and turns state-machine outputs into envelopes to publish.
final class OrchestratorRoleHandler: RoleHandler, @unchecked Sendable {
    private let orchestrator: Orchestrator
    private let catalog: Catalog
    private let trust: TrustStore
    private let opener: EnvelopeOpener
    private let kafka: KafkaConfiguration
    private let changelogTopic: String
    private let retention: PlanRetention
    private let logger: Logger
    private let admin: KafkaAdmin
    private let lock = NSLock()
    private var state = OrchestratorState()
    private var partitionOf: [String: Int32] = [:]
    /// Partitions this instance owns: prepared and not revoked since.
    private var owned: Set<Int32> = []
    /// Bumped on every prepare and revoke of a partition: a restore that finds its partition's
    /// generation changed when it ends (revoked meanwhile) discards what it read.
    private var generations: [Int32: UInt64] = [:]
    /// Unfinished plans with an attempt past its assignment timeout, as of the last tick.
    private var overduePlans = 0

    init(
        orchestrator: Orchestrator, catalog: Catalog, trust: TrustStore, opener: EnvelopeOpener, kafka: KafkaConfiguration,
        changelogTopic: String, retention: PlanRetention, logger: Logger
    ) throws {
        self.orchestrator = orchestrator
        self.catalog = catalog
        self.trust = trust
        self.opener = opener
        self.kafka = kafka
        self.changelogTopic = changelogTopic
        self.retention = retention
        self.logger = logger
        admin = try KafkaAdmin(configuration: kafka, logger: logger)
    }

    func handle(_ inbound: InboundEnvelope) async throws -> [OutboundEnvelope] {
        // The digest of a result's exact bytes, which an approval binds to (agents cannot
        // choose it). Only results are hashed: nothing reads the digest of other events.
        var event = inbound.envelope
        if case .taskResult = event.payload { event = ResultDigest.stamp(event, exactBytes: inbound.opened.envelopeBytes) }
        if case .approvalDecision(let decision) = event.payload { try checkApprovalSignature(decision, inbound) }
        let correlationID = event.correlationID
        // A plan lives in one partition and a partition's events arrive one at a time, so the
        // state machine (and its snapshot encoding) runs outside the lock; only the map of
        // plans is shared between partitions. The plan is taken out of the map meanwhile, so
        // the event changes the only copy in place (a deadline tick in between misses it and
        // sees it on the next tick).
        var plan: PlanState?
        let evicted = lock.withLock {
            plan = state.take(correlationID)
            return plan == nil && state.hasEvicted(correlationID)
        }
        // A redelivered submission of an objective whose finished plan was evicted.
        guard !evicted else { return [] }
        if plan == nil, Self.needsPlan(event) {
            // After a crash Kafka redelivers each topic in order, but not the topics in causal
            // order: this event can come back before the objective that re-creates its plan.
            // Ignoring it would lose it for good once its offset is committed.
            throw HoldInput(
                key: correlationID, reason: "plan-unknown",
                detail: "\(event.type) \(event.id) for objective \(correlationID), whose plan this orchestrator does not hold")
        }
        if let held = plan, let missing = Orchestrator.missingCause(of: event, in: held) {
            putBack(held, from: inbound.message.partition, at: event.timeUnixMicros, changed: false)
            throw HoldInput(key: correlationID, reason: "cause-unknown", detail: "\(event.type) \(event.id): \(missing)")
        }
        let (changed, outputs) = orchestrator.handleRecordingState(updating: &plan, event)
        if let plan { putBack(plan, from: inbound.message.partition, at: event.timeUnixMicros, changed: changed) }
        return outputs.map(outbound)
    }

    /// Puts a plan taken out for an event back into the map. Not when its partition was revoked
    /// while the event ran: the partition's new owner restores the plan from the changelog, and
    /// keeping this copy would leave a second owner of it here (its deadline ticks would decide
    /// for a plan this instance no longer runs).
    private func putBack(_ plan: PlanState, from partition: Int32, at timeMicros: Int64, changed: Bool) {
        lock.withLock {
            guard owned.contains(partition) else { return }
            state.update(plan, at: timeMicros)
            if changed { partitionOf[plan.correlationID] = partition }
        }
    }

    /// Events that act on an existing plan (as opposed to the objective that creates it, and
    /// the orchestrator's own outputs that come back on its input topics).
    static func needsPlan(_ event: Envelope) -> Bool {
        switch event.payload {
        case .objectiveCancelRequested, .taskResult, .verdict, .approvalDecision: true
        default: false
        }
    }

    /// The changelog snapshot is the orchestrator's state record: the runtime publishes it
    /// only after the input's other outputs were acknowledged (see `OutboundEnvelope.Kind`).
    /// Every destination has a topic: playbooks were loaded against the catalog's agent
    /// roles, and a restored plan naming another role is refused (`SnapshotRoleUnknown`).
    func outbound(_ output: Output) -> OutboundEnvelope {
        OutboundEnvelope(
            topic: output.destination.topic(in: catalog) ?? "", envelope: output.envelope,
            kind: output.destination == .changelog ? .state : .event)
    }

    /// People sign the approval manifest with their Ed25519 key (on top of sealing the
    /// envelope); deadline expiries are the orchestrator's own decisions.
    private func checkApprovalSignature(_ decision: ApprovalDecision, _ inbound: InboundEnvelope) throws {
        let signer = inbound.opened.signer
        if signer.principalKind == .role {
            guard signer.principal == MeshRoles.orchestrator, decision.signerID == Orchestrator.deadlineSigner else {
                throw PermanentHandlerError(
                    reason: "unauthorized", detail: "approval decision from role \(signer.principal) is not a deadline expiry",
                    isSecurityEvent: true)
            }
            return
        }
        guard decision.signerID == signer.principal else {
            throw PermanentHandlerError(
                reason: "signer-mismatch", detail: "decision names \(decision.signerID) but \(signer.principal) sealed it",
                isSecurityEvent: true)
        }
        do {
            _ = try ApprovalManifest.verify(decision, trust: trust)
        } catch {
            throw PermanentHandlerError(reason: "bad-approval-signature", detail: "\(error)", isSecurityEvent: true)
        }
    }

    /// Restores the plans of `partition` from their signed snapshots: per plan the one that
    /// applied the most events (the latest, unless a retried write landed after a newer one).
    func prepare(partition: Int32) async throws {
        let generation: UInt64 = lock.withLock {
            owned.insert(partition)
            generations[partition, default: 0] &+= 1
            return generations[partition, default: 0]
        }
        let (low, high) = try admin.watermarks(topic: changelogTopic, partition: partition)
        guard high > low else { return }
        let consumer = try KafkaConsumer(
            configuration: kafka, subscription: .partitionsToEnd([TopicPartition(topic: changelogTopic, partition: partition)]),
            logger: logger)
        defer { consumer.close() }
        var latest: [String: PlanState] = [:]
        var read = 0
        for await message in consumer.messages {
            read += 1
            if case .success(let opened) = opener.open(message.value), opened.signer.principal == MeshRoles.orchestrator,
                case .orchestratorSnapshot(let snapshot) = opened.envelope.payload
            {
                do {
                    let plan = try PlanSnapshot.decode(snapshot.state)
                    if let role = plan.tasks.map(\.spec.role).first(where: { catalog.taskTopic(for: $0.rawValue) == nil }) {
                        throw SnapshotRoleUnknown(role: role)
                    }
                    let correlationID = opened.envelope.correlationID
                    if plan.processedEventIDs.count >= latest[correlationID]?.processedEventIDs.count ?? 0 {
                        latest[correlationID] = plan
                    }
                } catch {
                    logger.error("changelog \(changelogTopic)[\(partition)]@\(message.offset): unreadable snapshot: \(error)")
                }
            } else {
                logger.error("changelog \(changelogTopic)[\(partition)]@\(message.offset) is not an orchestrator snapshot; ignored")
            }
            if message.offset >= high - 1 { break }
        }
        // A restored finished plan is kept for a full retention period from now: its
        // snapshot does not say when it finished.
        let restoredAt = WallClock.nowUnixMicros()
        let current = lock.withLock {
            // Revoked (and perhaps assigned again) while this restore read: its result is stale.
            guard owned.contains(partition), generations[partition] == generation else { return false }
            for (correlationID, plan) in latest {
                state.update(plan, at: restoredAt)
                partitionOf[correlationID] = partition
            }
            return true
        }
        guard current else {
            logger.info("partition \(partition) was revoked while its plans were restored; the restore is discarded")
            return
        }
        logger.info("restored \(latest.count) plans of partition \(partition) from \(read) changelog records")
    }

    func revoked(partitions: [Int32]) async {
        let gone = Set(partitions)
        lock.withLock {
            owned.subtract(gone)
            for partition in gone { generations[partition, default: 0] &+= 1 }
            for (correlationID, partition) in partitionOf where gone.contains(partition) {
                state.remove(correlationID: correlationID)
                partitionOf[correlationID] = nil
            }
        }
    }

    /// Evicts the finished plans past their retention, then publishes the expiry decisions
    /// of passed approval deadlines and the failed results of timed-out attempts.
    func tick(nowMicros: Int64) async -> [OutboundEnvelope] {
        let (evicted, outputs, overdue, before) = lock.withLock {
            let evicted = state.evictFinished(nowMicros: nowMicros, retention: retention)
            for correlationID in evicted { partitionOf[correlationID] = nil }
            let outputs = Orchestrator.expiredApprovals(state, nowMicros: nowMicros)
                + Orchestrator.expiredAssignments(state, nowMicros: nowMicros)
            let before = overduePlans
            overduePlans = Orchestrator.overduePlanCount(state, nowMicros: nowMicros)
            return (evicted.count, outputs, overduePlans, before)
        }
        if evicted > 0 { logger.debug("evicted \(evicted) finished plans") }
        if overdue != before {
            logger.warning("\(overdue) plans have an attempt past its assignment timeout; their next attempts are assigned")
        }
        return outputs.map(outbound)
    }

    func gauges() -> [RoleGauge] {
        [RoleGauge(
            name: "agentmesh_orchestrator_plans_overdue",
            help: "Unfinished plans with a task attempt undecided beyond its assignment timeout (as of the last tick).",
            value: lock.withLock { overduePlans })]
    }
}

/// A changelog snapshot whose plan addresses a role the catalog has no task topic for.
struct SnapshotRoleUnknown: Error, CustomStringConvertible {
    let role: AgentRole
    var description: String { "a task is addressed to role \(role), which the catalog has no task topic for" }
}
