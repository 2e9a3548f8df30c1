import Foundation
import Logging
import MeshKafka
import MeshTracing
import MeshTransport

/// What ``RoleWorker`` runs instead of its per-envelope lanes for a batch role.
protocol BatchRunning: Sendable {
    /// Fetches and handles batches until ``stop()``, then hands out what was fetched,
    /// lets the handler finish and commits. Throws ``BatchAbandoned`` when a batch was left
    /// unhandled.
    func run() async throws
    func stop()
    /// True while the current batch keeps failing (the role is then not ready).
    var failing: Bool { get }
    func gauges() -> [RoleGauge]
}

/// What a ``BatchPipeline`` shares with its ``RoleWorker``.
struct BatchContext {
    var consumer: KafkaConsumer
    /// Dead letters are published at once (never into a transaction): a batch's offsets are
    /// committed only after its dead letters are acknowledged.
    var deadLettering: DeadLettering
    /// The dead-letter topic, whose own records are never dead-lettered again.
    var deadLetterTopic: String
    var metrics: RoleMetrics
    var spans: MessagingSpans?
    var logger: Logger
}

/// A batch role's loop: a fetching task moves records from the consumer into a
/// ``BatchBuffer``; the loop takes batches, has the handler keep each, and only then marks
/// the batch's records done so their offsets can be committed.
///
/// Two stages overlap: while one batch is being handled, the loop prepares the next one
/// (``BatchHandler/prepare(_:)``). Handling stays strictly one batch at a time, in order.
final class BatchPipeline<Handler: BatchHandler>: BatchRunning, @unchecked Sendable {
    private let handler: Handler
    private let settings: BatchSettings
    private let context: BatchContext
    private let lock = NSLock()
    private var fetching: Task<Void, Never>?
    private var stopping = false
    private var failingNow = false

    init(handler: Handler, settings: BatchSettings, context: BatchContext) {
        self.handler = handler
        self.settings = settings
        self.context = context
    }

    var failing: Bool { lock.withLock { failingNow } }

    func gauges() -> [RoleGauge] { handler.gauges() }

    func stop() {
        let fetch: Task<Void, Never>? = lock.withLock {
            stopping = true
            return fetching
        }
        // Ends the polling; records the consumer already fetched are still handed out (and
        // pushed), so nothing taken from Kafka is left behind.
        fetch?.cancel()
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    func run() async throws {
        let buffer = BatchBuffer(capacity: settings.maxRecords * 4)
        let consumer = context.consumer
        let fetch = Task {
            for await message in consumer.messages { await buffer.push(message) }
            buffer.finish()
        }
        if lock.withLock({ fetching = fetch; return stopping }) { fetch.cancel() }

        var unhandled = 0
        /// The batch being handled; true once handled (false: stopped, its records stay uncommitted).
        var handling: (records: Int, task: Task<Bool, Never>)?
        while let batch = await buffer.nextBatch(max: settings.maxRecords, wait: settings.maxWait, idle: settings.idleInterval) {
            let counts = Self.countByTopic(batch)
            for (topic, count) in counts { context.metrics.increment(.consumed, topic: topic, by: count) }
            // Prepared while the previous batch is still being handled.
            let prepared = batch.isEmpty ? nil : handler.prepare(batch)
            if let previous = handling {
                handling = nil
                guard await previous.task.value else {
                    unhandled = previous.records + batch.count
                    break
                }
            }
            if let prepared {
                handling = (batch.count, Task { await self.handle(batch, prepared, counts: counts) })
            } else {
                await handler.idle()
            }
        }
        if let last = handling, !(await last.task.value) { unhandled += last.records }
        if unhandled > 0 { fetch.cancel() }
        _ = await fetch.value
        guard unhandled == 0 else { throw BatchAbandoned(records: unhandled + buffer.pendingCount) }
        await handler.drained()
        do {
            try await consumer.commit()
        } catch {
            context.logger.warning("offset commit on shutdown failed (records will be redelivered and skipped as duplicates): \(error)")
        }
    }

    /// Has the handler keep one batch, then marks its records done. A failed attempt is
    /// retried with backoff until it works or a stop is requested (not ready meanwhile).
    /// `counts`: the batch's records per topic.
    private func handle(_ batch: [ConsumedMessage], _ prepared: Handler.Prepared, counts: [String: Int]) async -> Bool {
        let logger = context.logger
        let metrics = context.metrics
        let started = ContinuousClock.now
        // Tracing on: a `process` span per envelope, ended once its batch is kept.
        var spans: [(message: ConsumedMessage, span: MeshSpan)] = []
        if let tracing = context.spans {
            for (index, envelope) in handler.envelopes(in: batch, prepared) {
                let message = batch[index]
                spans.append((message, tracing.startProcess(
                    envelope, topic: message.topic, partition: message.partition, offset: message.offset)))
            }
        }
        var attempt = 1
        while true {
            do {
                let outcome = try await handler.handle(prepared, of: batch)
                lock.withLock { failingNow = false }
                guard await deadLetter(outcome.deadLetters) else { return false }
                // Offsets only once the batch is kept (and its dead letters acknowledged).
                for message in batch { context.consumer.markDone(message) }
                for (topic, count) in counts { metrics.increment(.processed, topic: topic, by: count) }
                metrics.observeHandlerDuration(seconds: (ContinuousClock.now - started).seconds)
                let deadLettered = Set(outcome.deadLetters.map { RecordPosition($0.message) })
                for (message, span) in spans {
                    if deadLettered.contains(RecordPosition(message)) {
                        MessagingSpans.failed(span, "dead-lettered")
                    } else {
                        span.end()
                    }
                }
                return true
            } catch {
                lock.withLock { failingNow = true }
                for (topic, count) in counts { metrics.increment(.failed, topic: topic, by: count) }
                let delay = settings.retry.delay(after: attempt)
                logger.error("handling a batch failed; it is handled again and its offsets stay uncommitted (not ready)", metadata: [
                    "error": "\(error)", "records": "\(batch.count)", "attempt": "\(attempt)", "retry_in": "\(delay)",
                ])
                if isStopping {
                    logger.error("stopping with \(batch.count) record(s) not handled; Kafka will redeliver them")
                    return false
                }
                try? await Task.sleep(for: delay)
                attempt += 1
                for (topic, count) in counts { metrics.increment(.retried, topic: topic, by: count) }
                await handler.recover(after: error)
            }
        }
    }

    /// Publishes what the handler could not keep to the dead-letter topic, waiting for the
    /// broker's acknowledgement. A record read from the dead-letter topic itself is not
    /// published again (that would loop): it stays where it is and is logged. False when
    /// publishing failed.
    private func deadLetter(_ letters: [BatchOutcome.DeadLetter]) async -> Bool {
        let logger = context.logger
        for letter in letters {
            let message = letter.message
            let metadata: Logger.Metadata = [
                "topic": "\(message.topic)", "partition": "\(message.partition)", "offset": "\(message.offset)",
                "reason": "\(letter.reason)", "detail": "\(letter.detail)",
            ]
            if message.topic == context.deadLetterTopic {
                logger.error("a dead letter could not be kept either; it stays in the dead-letter topic", metadata: metadata)
                continue
            }
            do {
                try await context.deadLettering.send(message, reason: letter.reason, detail: letter.detail, attempts: letter.attempts)
            } catch {
                logger.error("could not dead-letter a record: \(error); its batch stays uncommitted", metadata: metadata)
                return false
            }
            logger.error("a record its handler could not keep: published it to the dead-letter topic", metadata: metadata)
        }
        return true
    }

    private static func countByTopic(_ batch: [ConsumedMessage]) -> [String: Int] {
        batch.reduce(into: [:]) { $0[$1.topic, default: 0] += 1 }
    }
}

/// Where a record was read.
private struct RecordPosition: Hashable {
    var partition: TopicPartition
    var offset: Int64

    init(_ message: ConsumedMessage) {
        partition = message.topicPartition
        offset = message.offset
    }
}
