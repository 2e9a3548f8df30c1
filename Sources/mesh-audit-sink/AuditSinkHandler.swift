import Foundation
import Logging
import MeshAudit
import MeshAuditIngest
import MeshKafka
import MeshRuntime
import MeshTransport
import MeshWire

/// The audit sink's work on the shared runtime: every batch of records read (verified or
/// not) is decoded and verified (``prepare(_:)``, while the previous batch is stored), then
/// appended to the audit store in one transaction; checkpoints are written and anchored
/// outside the database. The worker marks the batch's records done only after the append
/// committed, retries a failed append (``recover(after:)`` reopens the store) and publishes
/// the records the database refused even flagged to the dead-letter topic.
final class AuditSinkHandler: BatchHandler, @unchecked Sendable {
    /// What the sink has done since it started (logged; the series are in ``SinkMetrics``).
    struct Counters {
        var received = 0
        var stored = 0
        var duplicates = 0
        var rejected = 0
        var batches = 0
        var checkpoints = 0
        var storeErrors = 0
        /// Records the database refused as received, stored flagged instead.
        var storeRefused = 0
        /// Records the database refused even flagged, handed to the dead-letter topic.
        var deadLettered = 0
        var rejectedByReason: [String: Int] = [:]
    }

    /// A batch decoded and verified, without the records that are not stored.
    struct Prepared: Sendable {
        /// The records to store (the batch less the checkpoint topic's).
        var kept: [ConsumedMessage]
        /// Index of each kept record in the batch; `nil` when every record is kept.
        var keptIndices: [Int]?
        var ingest: AuditIngestor.Prepared
    }

    private var store: AuditStore
    private let reopen: () throws -> AuditStore
    private let ingestor: AuditIngestor
    private let logger: Logger
    private let statsInterval: Duration
    private let metrics: SinkMetrics
    /// Where checkpoints are copied outside the database.
    private let anchors: CheckpointAnchors
    /// The checkpoint topic: its records are the store's anchors, not mesh traffic, so they
    /// are not stored (storing them would also make every checkpoint cause the next one).
    private let anchorTopic: String?
    /// A record from the dead-letter topic that cannot be stored stays there (the runtime
    /// does not publish it again), so it is not counted as dead-lettered.
    private let deadLetterTopic: String?
    private let storeQueue = DispatchQueue(label: "agentmesh.audit-sink.store")
    /// Guards `counters`, `head` and `lastStats`; the head is read at scrape time.
    private let lock = NSLock()
    private var counters = Counters()
    private var head: Int64
    private var lastStats = ContinuousClock.now
    private let codec = EnvelopeCodec()

    init(
        store: AuditStore, reopen: @escaping () throws -> AuditStore, ingestor: AuditIngestor, logger: Logger,
        statsInterval: Duration, metrics: SinkMetrics, anchors: CheckpointAnchors, anchorTopic: String?,
        deadLetterTopic: String?
    ) {
        self.deadLetterTopic = deadLetterTopic
        self.store = store
        self.reopen = reopen
        self.ingestor = ingestor
        self.logger = logger
        self.statsInterval = statsInterval
        self.metrics = metrics
        self.anchors = anchors
        self.anchorTopic = anchorTopic
        head = (try? store.head()?.sequence) ?? 0
    }

    func prepare(_ batch: [ConsumedMessage]) -> Prepared {
        var kept = batch
        var keptIndices: [Int]?
        if let anchorTopic, batch.contains(where: { $0.topic == anchorTopic }) {
            let indices = batch.indices.filter { batch[$0].topic != anchorTopic }
            kept = indices.map { batch[$0] }
            keptIndices = indices
        }
        let ingest = ingestor.prepare(kept)
        for (index, rejection) in ingest.rejections {
            let message = kept[index]
            var metadata: Logger.Metadata = [
                "reason": "\(rejection.reason.rawValue)", "detail": "\(rejection.detail)", "topic": "\(message.topic)",
                "partition": "\(message.partition)", "offset": "\(message.offset)",
            ]
            if rejection.isSecurityEvent { metadata["security_event"] = "true" }
            logger.warning("storing a record that failed verification, flagged rejected", metadata: metadata)
        }
        return Prepared(kept: kept, keptIndices: keptIndices, ingest: ingest)
    }

    func handle(_ prepared: Prepared, of batch: [ConsumedMessage]) async throws -> BatchOutcome {
        guard !prepared.kept.isEmpty else {
            await checkpointIfDue()
            return BatchOutcome()
        }
        let kept = prepared.kept
        let result: AuditBatchWriter.Result
        do {
            let ingestor = self.ingestor
            result = try await onStoreQueue { try ingestor.write(prepared.ingest, to: self.store) }
        } catch {
            lock.withLock { counters.storeErrors += 1 }
            metrics.storeErrors.increment()
            throw AuditAppendFailed(underlying: error)
        }
        for (index, reason) in result.flagged {
            logger.error("the audit store refused a record; stored it flagged (store-refused) with its raw bytes", metadata: [
                "topic": "\(kept[index].topic)", "partition": "\(kept[index].partition)",
                "offset": "\(kept[index].offset)", "reason": "\(reason)",
            ])
        }
        let deadLetters = result.unstorable.map { index, reason in
            BatchOutcome.DeadLetter(
                message: kept[index], reason: "audit-store-refused", detail: reason, attempts: ingestor.writer.maxAttempts)
        }
        count(result, of: prepared, batchSize: kept.count,
              deadLettered: deadLetters.filter { $0.message.topic != deadLetterTopic }.count)
        for checkpoint in result.checkpoints {
            logger.info("checkpoint written", metadata: ["sequence": "\(checkpoint.sequence)"])
        }
        if !result.checkpoints.isEmpty { await anchors.anchor(result.checkpoints) }
        logStatsIfDue()
        return BatchOutcome(deadLetters: deadLetters)
    }

    private func count(_ result: AuditBatchWriter.Result, of prepared: Prepared, batchSize: Int, deadLettered: Int) {
        var rejectedByReason: [String: Int] = [:]
        for (_, rejection) in prepared.ingest.rejections { rejectedByReason[rejection.reason.rawValue, default: 0] += 1 }
        let flaggedIndices = Set(result.flagged.map(\.index))
        let rejected = prepared.ingest.rejections.filter { result.storedNow[$0.index] && !flaggedIndices.contains($0.index) }.count
            + result.flagged.count
        lock.withLock {
            counters.received += batchSize
            counters.stored += result.stored
            counters.duplicates += result.duplicates
            counters.batches += 1
            counters.checkpoints += result.checkpoints.count
            counters.storeRefused += result.flagged.count
            counters.deadLettered += deadLettered
            counters.storeErrors += result.refusedAttempts
            counters.rejected += rejected
            for (reason, count) in rejectedByReason { counters.rejectedByReason[reason, default: 0] += count }
            if let sequence = result.head?.sequence { head = sequence }
        }
        metrics.received.increment(by: batchSize)
        metrics.stored.increment(by: result.stored)
        metrics.duplicates.increment(by: result.duplicates)
        metrics.checkpoints.increment(by: result.checkpoints.count)
        metrics.storeRefused.increment(by: result.flagged.count)
        metrics.deadLettered.increment(by: deadLettered)
        metrics.storeErrors.increment(by: result.refusedAttempts)
        metrics.rejected.increment(by: rejected)
        for (reason, count) in rejectedByReason { metrics.rejected(reason: reason).increment(by: count) }
    }

    /// The store connection may be what failed: a fresh one for the next attempt.
    func recover(after error: Error) async {
        if let fresh = try? await onStoreQueue(reopen) { store = fresh }
    }

    func idle() async {
        await checkpointIfDue()
        logStatsIfDue()
    }

    /// Every batch is stored: a last checkpoint covers them.
    func drained() async {
        do {
            if let checkpoint = try await onStoreQueue({ try self.store.checkpointNow() }) {
                logger.info("checkpoint on shutdown", metadata: ["sequence": "\(checkpoint.sequence)"])
                // Re-anchoring the newest checkpoint is harmless (verify ignores copies).
                await anchors.anchor([checkpoint])
            }
        } catch {
            logger.warning("no checkpoint on shutdown: \(error)")
        }
        logStats("audit sink stopped")
    }

    /// The verified envelopes (a rejected record's claims are not a trace to continue).
    func envelopes(in batch: [ConsumedMessage], _ prepared: Prepared) -> [(index: Int, envelope: Envelope)] {
        prepared.ingest.inputs.indices.compactMap { index in
            guard case .verified = prepared.ingest.inputs[index].verification,
                  let sealed = try? codec.decodeSealed(prepared.kept[index].value),
                  let envelope = try? codec.decode(sealed.envelope) else { return nil }
            return (prepared.keptIndices?[index] ?? index, envelope)
        }
    }

    func gauges() -> [RoleGauge] {
        [
            RoleGauge(name: "agentmesh_audit_head_sequence", help: "Sequence of the newest stored record.",
                      value: Int(lock.withLock { head })),
            RoleGauge(name: "agentmesh_audit_checkpoints_unanchored", help: "Checkpoints not yet copied outside the database.",
                      value: anchors.pendingCount),
        ]
    }

    private func checkpointIfDue() async {
        do {
            if let checkpoint = try await onStoreQueue({ try self.store.checkpointIfDue() }) {
                lock.withLock { counters.checkpoints += 1 }
                metrics.checkpoints.increment()
                logger.info("checkpoint written", metadata: ["sequence": "\(checkpoint.sequence)"])
                await anchors.anchor([checkpoint])
            }
        } catch {
            logger.warning("time-triggered checkpoint failed: \(error)")
        }
    }

    /// Database calls block; they run on a dedicated queue, not on the cooperative pool.
    private func onStoreQueue<T>(_ body: @escaping () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            storeQueue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    private func logStatsIfDue() {
        let due: Bool = lock.withLock {
            guard ContinuousClock.now - lastStats >= statsInterval else { return false }
            lastStats = ContinuousClock.now
            return true
        }
        if due { logStats("audit sink progress") }
    }

    private func logStats(_ message: Logger.Message) {
        let (counters, head) = lock.withLock { (self.counters, self.head) }
        let reasons = counters.rejectedByReason.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        logger.info(message, metadata: [
            "received": "\(counters.received)", "stored": "\(counters.stored)", "duplicates": "\(counters.duplicates)",
            "rejected": "\(counters.rejected)", "rejected_by_reason": "\(reasons)", "batches": "\(counters.batches)",
            "checkpoints": "\(counters.checkpoints)", "store_errors": "\(counters.storeErrors)",
            "store_refused": "\(counters.storeRefused)", "dead_lettered": "\(counters.deadLettered)", "head": "\(head)",
        ])
    }
}

/// An append that failed as a whole (the database down, busy, full): the batch is retried.
struct AuditAppendFailed: Error, CustomStringConvertible {
    var underlying: Error
    var description: String { "audit store append failed: \(underlying)" }
}
