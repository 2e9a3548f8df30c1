import Foundation
import Logging
import MeshAudit
import MeshAuditIngest
import MeshKafka
import MeshTransport

/// The sink's main loop: a reader task moves records from the consumer into a
/// `BatchBuffer`; this loop takes batches, appends each in one store transaction, and only
/// then marks the batch's records done so their offsets can be committed.
///
/// Two stages overlap: while one batch is being stored (on the store queue), the loop
/// decodes and verifies the next one. Appends stay strictly one at a time and in order.
final class AuditSink: @unchecked Sendable {
    /// What the sink has done since it started.
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
        /// Records the database refused even flagged, published to the dead-letter topic.
        var deadLettered = 0
        var rejectedByReason: [String: Int] = [:]
    }

    private let consumer: KafkaConsumer
    private var store: AuditStore
    private let reopen: () throws -> AuditStore
    private let ingestor: AuditIngestor
    private let deadLetters: DeadLetterPublisher
    private let logger: Logger
    private let batchSize: Int
    private let batchWait: Duration
    private let statsInterval: Duration
    /// Where checkpoints are copied outside the database.
    let anchors: CheckpointAnchors
    /// The checkpoint topic: its records are the store's anchors, not mesh traffic, so they
    /// are not stored (storing them would also make every checkpoint cause the next one).
    private let anchorTopic: String?
    private let storeQueue = DispatchQueue(label: "agentmesh.audit-sink.store")
    /// Guards `counters` and `head`, which `/metrics` reads from the health server's thread.
    private let countersLock = NSLock()
    private var counters = Counters()
    private var head: Int64 = 0
    /// True while appends fail with a transient error (the sink is then not ready).
    private var storeFailing = false

    /// Counters and head sequence so far.
    var snapshot: (counters: Counters, head: Int64) { countersLock.withLock { (counters, head) } }

    /// False while the store keeps failing (the batch is being retried).
    var storeHealthy: Bool { countersLock.withLock { !storeFailing } }

    init(
        consumer: KafkaConsumer, store: AuditStore, reopen: @escaping () throws -> AuditStore, ingestor: AuditIngestor,
        deadLetters: DeadLetterPublisher, logger: Logger, batchSize: Int, batchWait: Duration, statsInterval: Duration,
        anchors: CheckpointAnchors, anchorTopic: String?
    ) {
        self.anchors = anchors
        self.anchorTopic = anchorTopic
        self.consumer = consumer
        self.store = store
        self.reopen = reopen
        self.ingestor = ingestor
        self.deadLetters = deadLetters
        self.logger = logger
        self.batchSize = batchSize
        self.batchWait = batchWait
        self.statsInterval = statsInterval
    }

    /// Runs until `stop` fires and everything received is stored. Returns false when the
    /// store failed during shutdown (the unstored records are then left for redelivery).
    func run(stop: StopSignal) async -> Bool {
        let buffer = BatchBuffer(capacity: batchSize * 4)
        let consumer = self.consumer
        let reader = Task {
            // Cancellation stops the polling; records the consumer already fetched are still
            // handed out (and pushed), so nothing taken from Kafka is left behind.
            for await message in consumer.messages { await buffer.push(message) }
            buffer.finish()
        }
        stop.onFire { [logger] number in
            logger.info("stopping: no more fetching; storing what was received", metadata: ["signal": "\(number)"])
            reader.cancel()
        }

        var lastStats = ContinuousClock.now
        var clean = true
        /// The batch being stored; true once stored (false: stop, its records stay uncommitted).
        var storing: Task<Bool, Never>?
        while var batch = await buffer.nextBatch(max: batchSize, wait: batchWait, idle: .milliseconds(500)) {
            if let anchorTopic, batch.contains(where: { $0.topic == anchorTopic }) {
                for message in batch where message.topic == anchorTopic { consumer.markDone(message) }
                batch.removeAll { $0.topic == anchorTopic }
            }
            // Decoded and verified while the previous batch is still being stored.
            let prepared = batch.isEmpty ? nil : prepare(batch)
            if let previous = storing {
                storing = nil
                guard await previous.value else {
                    clean = false
                    break
                }
            }
            if let prepared {
                storing = Task { await self.write(batch, prepared, stop: stop) }
            } else {
                await checkpointIfDue()
            }
            if ContinuousClock.now - lastStats >= statsInterval {
                lastStats = ContinuousClock.now
                logStats("audit sink progress", pending: buffer.pendingCount)
            }
        }
        if let last = storing, !(await last.value) { clean = false }
        if !clean { reader.cancel() }
        _ = await reader.value

        if clean {
            do {
                if let checkpoint = try await onStoreQueue({ try self.store.checkpointNow() }) {
                    logger.info("checkpoint on shutdown", metadata: ["sequence": "\(checkpoint.sequence)"])
                    // Re-anchoring the newest checkpoint is harmless (verify ignores copies).
                    await anchors.anchor([checkpoint])
                }
            } catch {
                logger.warning("no checkpoint on shutdown: \(error)")
            }
            do {
                try await consumer.commit()
            } catch {
                logger.warning("offset commit on shutdown failed (records will be redelivered and skipped as duplicates): \(error)")
            }
        }
        consumer.close()
        logStats(clean ? "audit sink stopped" : "audit sink stopped after a store failure", pending: 0)
        return clean
    }

    /// Decodes and verifies one batch, logging the records that failed verification (they
    /// are stored flagged).
    private func prepare(_ batch: [ConsumedMessage]) -> AuditIngestor.Prepared {
        let prepared = ingestor.prepare(batch)
        for (index, rejection) in prepared.rejections {
            let message = batch[index]
            var metadata: Logger.Metadata = [
                "reason": "\(rejection.reason.rawValue)", "detail": "\(rejection.detail)", "topic": "\(message.topic)",
                "partition": "\(message.partition)", "offset": "\(message.offset)",
            ]
            if rejection.isSecurityEvent { metadata["security_event"] = "true" }
            logger.warning("storing a record that failed verification, flagged rejected", metadata: metadata)
        }
        return prepared
    }

    /// Stores one prepared batch, then marks its records done. Transient store failures are
    /// retried with backoff until the append works or a stop is requested (not ready
    /// meanwhile); a record the database refuses is stored flagged or dead-lettered
    /// (`AuditBatchWriter`).
    private func write(_ batch: [ConsumedMessage], _ prepared: AuditIngestor.Prepared, stop: StopSignal) async -> Bool {
        var rejectedHere: [String: Int] = [:]
        for (_, rejection) in prepared.rejections { rejectedHere[rejection.reason.rawValue, default: 0] += 1 }
        var delay: Duration = .milliseconds(200)
        while true {
            do {
                let ingestor = self.ingestor
                let result = try await onStoreQueue { try ingestor.write(prepared, to: self.store) }
                countersLock.withLock { storeFailing = false }
                for (index, reason) in result.flagged {
                    logger.error("the audit store refused a record; stored it flagged (store-refused) with its raw bytes", metadata: [
                        "topic": "\(batch[index].topic)", "partition": "\(batch[index].partition)",
                        "offset": "\(batch[index].offset)", "reason": "\(reason)",
                    ])
                }
                guard let deadLettered = await deadLetter(result.unstorable, of: batch, stop: stop) else { return false }
                // Offsets only after the transaction committed (or the dead letter was acknowledged).
                for message in batch { consumer.markDone(message) }
                countersLock.withLock {
                    counters.received += batch.count
                    counters.stored += result.stored
                    counters.duplicates += result.duplicates
                    counters.batches += 1
                    counters.checkpoints += result.checkpoints.count
                    counters.storeRefused += result.flagged.count
                    counters.deadLettered += deadLettered
                    counters.storeErrors += result.refusedAttempts
                    let flaggedIndices = Set(result.flagged.map(\.index))
                    for (index, _) in prepared.rejections where result.storedNow[index] && !flaggedIndices.contains(index) {
                        counters.rejected += 1
                    }
                    counters.rejected += result.flagged.count
                    for (reason, count) in rejectedHere { counters.rejectedByReason[reason, default: 0] += count }
                    if let sequence = result.head?.sequence { head = sequence }
                }
                for checkpoint in result.checkpoints {
                    logger.info("checkpoint written", metadata: ["sequence": "\(checkpoint.sequence)"])
                }
                if !result.checkpoints.isEmpty { await anchors.anchor(result.checkpoints) }
                return true
            } catch {
                countersLock.withLock {
                    counters.storeErrors += 1
                    storeFailing = true
                }
                logger.error("audit store append failed; the batch is retried and its offsets stay uncommitted (not ready)", metadata: [
                    "error": "\(error)", "records": "\(batch.count)", "retry_in": "\(delay)",
                ])
                if stop.fired != nil {
                    logger.error("stopping with \(batch.count) record(s) unstored; Kafka will redeliver them")
                    return false
                }
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(10))
                if let fresh = try? await onStoreQueue(reopen) { store = fresh }
            }
        }
    }

    /// Publishes records the store refused even flagged to the dead-letter topic, waiting
    /// for the broker's acknowledgement. A record read from the dead-letter topic itself is
    /// not published again (that would loop): it stays where it is and is logged. Returns
    /// how many were published, or nil when publishing failed.
    private func deadLetter(_ unstorable: [(index: Int, reason: String)], of batch: [ConsumedMessage], stop: StopSignal) async -> Int? {
        var published = 0
        for (index, reason) in unstorable {
            let message = batch[index]
            let metadata: Logger.Metadata = [
                "topic": "\(message.topic)", "partition": "\(message.partition)", "offset": "\(message.offset)",
                "reason": "\(reason)",
            ]
            if message.topic == deadLetters.topic {
                logger.error("the audit store refused a dead letter even flagged; it stays in the dead-letter topic", metadata: metadata)
                continue
            }
            do {
                try await deadLetters.send(message, reason: "audit-store-refused", detail: reason, attempts: ingestor.writer.maxAttempts)
                published += 1
                logger.error("the audit store refused a record even flagged; published it to the dead-letter topic", metadata: metadata)
            } catch {
                logger.error("could not dead-letter a record the audit store refused: \(error); it stays uncommitted", metadata: metadata)
                return nil
            }
        }
        return published
    }

    private func checkpointIfDue() async {
        do {
            if let checkpoint = try await onStoreQueue({ try self.store.checkpointIfDue() }) {
                countersLock.withLock { counters.checkpoints += 1 }
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

    private func logStats(_ message: Logger.Message, pending: Int) {
        let (counters, head) = snapshot
        let reasons = counters.rejectedByReason.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        logger.info(message, metadata: [
            "received": "\(counters.received)", "stored": "\(counters.stored)", "duplicates": "\(counters.duplicates)",
            "rejected": "\(counters.rejected)", "rejected_by_reason": "\(reasons)", "batches": "\(counters.batches)",
            "checkpoints": "\(counters.checkpoints)", "store_errors": "\(counters.storeErrors)",
            "store_refused": "\(counters.storeRefused)", "dead_lettered": "\(counters.deadLettered)", "head": "\(head)",
            "pending": "\(pending)", "in_flight": "\(consumer.inFlightCount)",
        ])
    }
}
