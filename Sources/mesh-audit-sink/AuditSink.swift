import Foundation
import Logging
import MeshAudit
import MeshKafka
import MeshTransport

/// The sink's main loop: a reader task moves records from the consumer into a
/// `BatchBuffer`; this loop takes batches, appends each in one store transaction, and only
/// then marks the batch's records done so their offsets can be committed.
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
        var rejectedByReason: [String: Int] = [:]
    }

    private let consumer: KafkaConsumer
    private var store: AuditStore
    private let reopen: () throws -> AuditStore
    private let builder: AuditInputBuilder
    private let logger: Logger
    private let batchSize: Int
    private let batchWait: Duration
    private let statsInterval: Duration
    private let storeQueue = DispatchQueue(label: "agentmesh.audit-sink.store")
    /// Guards `counters` and `head`, which `/metrics` reads from the health server's thread.
    private let countersLock = NSLock()
    private var counters = Counters()
    private var head: Int64 = 0

    /// Counters and head sequence so far.
    var snapshot: (counters: Counters, head: Int64) { countersLock.withLock { (counters, head) } }

    init(
        consumer: KafkaConsumer, store: AuditStore, reopen: @escaping () throws -> AuditStore, builder: AuditInputBuilder,
        logger: Logger, batchSize: Int, batchWait: Duration, statsInterval: Duration
    ) {
        self.consumer = consumer
        self.store = store
        self.reopen = reopen
        self.builder = builder
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
        while let batch = await buffer.nextBatch(max: batchSize, wait: batchWait, idle: .milliseconds(500)) {
            if !batch.isEmpty {
                guard await write(batch, stop: stop) else {
                    clean = false
                    reader.cancel()
                    break
                }
            } else {
                await checkpointIfDue()
            }
            if ContinuousClock.now - lastStats >= statsInterval {
                lastStats = ContinuousClock.now
                logStats("audit sink progress", pending: buffer.pendingCount)
            }
        }
        _ = await reader.value

        if clean {
            do {
                if let checkpoint = try await onStoreQueue({ try self.store.checkpointNow() }) {
                    logger.info("checkpoint on shutdown", metadata: ["sequence": "\(checkpoint.sequence)"])
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

    /// Stores one batch (retrying store failures until it works or a stop is requested),
    /// then marks its records done.
    private func write(_ batch: [ConsumedMessage], stop: StopSignal) async -> Bool {
        var inputs: [AuditRecordInput] = []
        inputs.reserveCapacity(batch.count)
        var rejectedHere: [String: Int] = [:]
        for message in batch {
            let (input, rejection) = builder.build(message)
            inputs.append(input)
            if let rejection {
                rejectedHere[rejection.reason.rawValue, default: 0] += 1
                var metadata: Logger.Metadata = [
                    "reason": "\(rejection.reason.rawValue)", "detail": "\(rejection.detail)", "topic": "\(message.topic)",
                    "partition": "\(message.partition)", "offset": "\(message.offset)",
                ]
                if rejection.isSecurityEvent { metadata["security_event"] = "true" }
                logger.warning("storing a record that failed verification, flagged rejected", metadata: metadata)
            }
        }

        var delay: Duration = .milliseconds(200)
        while true {
            do {
                let outcome = try await onStoreQueue { try self.store.append(inputs) }
                // Offsets only after the transaction committed.
                for message in batch { consumer.markDone(message) }
                countersLock.withLock {
                    counters.received += batch.count
                    counters.stored += outcome.stored
                    counters.duplicates += outcome.duplicates
                    counters.batches += 1
                    counters.checkpoints += outcome.checkpoints.count
                    for (index, input) in inputs.enumerated()
                    where !input.verification.isVerified && outcome.sequences[index] != nil {
                        counters.rejected += 1
                    }
                    for (reason, count) in rejectedHere { counters.rejectedByReason[reason, default: 0] += count }
                    if let sequence = outcome.head?.sequence { head = sequence }
                }
                for checkpoint in outcome.checkpoints {
                    logger.info("checkpoint written", metadata: ["sequence": "\(checkpoint.sequence)"])
                }
                return true
            } catch {
                countersLock.withLock { counters.storeErrors += 1 }
                logger.error("audit store append failed; the batch is retried and its offsets stay uncommitted", metadata: [
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

    private func checkpointIfDue() async {
        do {
            if let checkpoint = try await onStoreQueue({ try self.store.checkpointIfDue() }) {
                countersLock.withLock { counters.checkpoints += 1 }
                logger.info("checkpoint written", metadata: ["sequence": "\(checkpoint.sequence)"])
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
        let reasons = counters.rejectedByReason.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        logger.info(message, metadata: [
            "received": "\(counters.received)", "stored": "\(counters.stored)", "duplicates": "\(counters.duplicates)",
            "rejected": "\(counters.rejected)", "rejected_by_reason": "\(reasons)", "batches": "\(counters.batches)",
            "checkpoints": "\(counters.checkpoints)", "store_errors": "\(counters.storeErrors)", "head": "\(head)",
            "pending": "\(pending)", "in_flight": "\(consumer.inFlightCount)",
        ])
    }
}
