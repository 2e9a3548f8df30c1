import Foundation
import Logging
import MeshKafka
import MeshTransport

/// Exactly-once mode of a ``RoleWorker``: consume-transform-produce in Kafka transactions.
///
/// One transactional producer per process. Lanes add the outputs of a handled input (or its
/// dead letter) together with the input's offset to the open transaction; a committer thread
/// commits every `commitInterval` or `maxRecords` records: it takes the offsets of the inputs
/// done so far, sends them with the consumer's group metadata (KIP-447) and commits, so the
/// outputs and the progress become visible together or not at all. Everything the producer
/// sends is inside a transaction, heartbeats included.
///
/// - Abortable error: the transaction is aborted, the assigned partitions are rewound to their
///   committed offsets, and every input read before is discarded and read again.
/// - Revoke: the open transaction is committed (aborted if the assignment was lost) before
///   the partitions go.
/// - Fatal error (fenced by a newer instance with the same `transactional.id`): reported on
///   ``events``; the worker stops.
final class TransactionCoordinator: DeadLetterSending, @unchecked Sendable {
    struct Settings: Sendable {
        var commitInterval: Duration = .milliseconds(100)
        var maxRecords = 1000
    }

    /// What the worker must act on.
    enum Event: Sendable {
        /// These inputs' outputs committed: remember them as processed.
        case committed([ProcessedInput])
        /// A transaction was aborted and these partitions rewound: their handler state must
        /// be rebuilt (revoked, then prepared again) before they are handled again.
        case rewound([TopicPartition])
        /// The producer cannot go on (fenced or fatal): the worker must stop.
        case fatal(KafkaError)
    }

    enum Outcome: Sendable, Equatable {
        /// Part of the open transaction; commits with the input's offset.
        case added
        /// The input was rewound or revoked meanwhile: nothing was added, it is read again.
        case stale
        /// The transaction failed; it is aborted and the input is read again.
        case failed
    }

    let transactionalID: String
    let events: AsyncStream<Event>
    private let eventSink: AsyncStream<Event>.Continuation
    private let producer: KafkaProducer
    private let consumer: KafkaConsumer
    private let deadLetters: DeadLetterPublisher
    private let metrics: RoleMetrics
    private let settings: Settings
    private let logger: Logger
    private let gate = TransactionGate()
    /// Serialises commits (committer thread, revoke, shutdown).
    private let commitLock = NSLock()
    private let lock = NSLock()
    private var records = 0
    private var ids: [ProcessedInput] = []
    private var abortReason: String?
    private var failure: KafkaError?
    private var consecutiveAborts = 0
    /// Whether the broker stores offsets sent with a transaction; learnt at the first commit.
    private var brokerStoresTransactionalOffsets: Bool?
    private let wake = DispatchSemaphore(value: 0)
    private let stopCommitter = DispatchSemaphore(value: 0)
    private let committerFinished = DispatchSemaphore(value: 0)
    private var committerStopped = false
    /// Set by ``beginStopping()`` (or ``finish()``): transaction calls are no longer retried,
    /// and an abort that fails leaves the transaction to the broker, so a drain ends even with
    /// the broker away.
    private var stopping = false

    /// Fences older producers with the same `transactional.id` and opens the first transaction.
    init(
        producer: KafkaProducer, transactionalID: String, consumer: KafkaConsumer, deadLetters: DeadLetterPublisher,
        metrics: RoleMetrics, settings: Settings, logger: Logger
    ) throws {
        self.producer = producer
        self.transactionalID = transactionalID
        self.consumer = consumer
        self.deadLetters = deadLetters
        self.metrics = metrics
        self.settings = settings
        self.logger = logger
        (events, eventSink) = AsyncStream.makeStream(of: Event.self)
        try producer.initTransactions()
        try producer.beginTransaction()
        consumer.setRevokeHandler { [weak self] partitions, lost in
            self?.commitOpenTransaction(revoking: partitions, assignmentLost: lost)
        }
        // Holds the coordinator until ``finish()`` stops it.
        let thread = Thread { self.runCommitter() }
        thread.name = "agentmesh.transactions.committer"
        thread.start()
    }

    // MARK: - Adding work to the open transaction

    /// Adds `records` (sealed outputs) and, when `input` is given, its offset to the open
    /// transaction, atomically with respect to commits. `id` is remembered once it committed.
    ///
    /// `acknowledged`: returns only once the broker acknowledged `records` (outside the gate,
    /// so commits go on meanwhile); a refused record aborts the transaction. The worker adds
    /// an input's event outputs this way before its state records: a broker that keeps no
    /// transaction state (the embedded broker) shows uncommitted records to every reader, and
    /// a state record must not be readable while an output of its input can still be lost.
    ///
    /// `delivered`: told the delivery report of each record by its index (the send spans).
    func add(_ records: [OutgoingMessage], completing input: ConsumedMessage?, id: ProcessedInput?,
             acknowledged: Bool = false, delivered: KafkaProducer.IndexedDeliveryCallback? = nil) async -> Outcome {
        let deliveries = acknowledged ? DeliveryGroup(expected: records.count) : nil
        let outcome = await enqueue(records, completing: input, id: id, deliveries: deliveries, delivered: delivered)
        guard outcome == .added, let deliveries else { return outcome }
        do {
            try await deliveries.wait()
            return .added
        } catch {
            requestAbort("a record of the transaction was refused: \(error)")
            return .failed
        }
    }

    private func enqueue(_ records: [OutgoingMessage], completing input: ConsumedMessage?, id: ProcessedInput?,
                         deliveries: DeliveryGroup?, delivered: KafkaProducer.IndexedDeliveryCallback?) async -> Outcome {
        await gate.enter()
        defer { gate.leave() }
        if lock.withLock({ failure != nil || abortReason != nil }) { return .failed }
        if let input, !consumer.isCurrent(input) { return .stale }
        do {
            for (index, record) in records.enumerated() {
                let metrics = self.metrics
                do {
                    try producer.enqueue(record) { result in
                        if case .success = result { metrics.increment(.published, topic: record.topic) }
                        delivered?(index, result)
                        deliveries?.completed(result.map { _ in () })
                    }
                } catch {
                    deliveries?.abandon(remaining: records.count - index, error: error)
                    throw error
                }
            }
        } catch {
            // Some records may be in the transaction already: it must not commit.
            requestAbort("producing to the transaction failed: \(error)")
            return .failed
        }
        if let input { consumer.markDone(input) }
        let full: Bool = lock.withLock {
            self.records += records.count + (input == nil ? 0 : 1)
            if let id { ids.append(id) }
            return self.records >= settings.maxRecords
        }
        if full { wake.signal() }
        return .added
    }

    /// Exactly-once dead letter: the dead letter and the input's offset share the transaction.
    func send(_ message: ConsumedMessage, reason: String, detail: String, attempts: Int) async throws {
        let record = deadLetters.record(for: message, reason: reason, detail: detail, attempts: attempts)
        let outcome = await add([record], completing: message, id: nil)
        guard outcome == .added else { throw TransactionNotJoined(outcome: outcome) }
    }

    // MARK: - Committing

    /// The role is shutting down: from now on a failing transaction call is not retried (a
    /// retry loop in progress ends at its next failure). Call when the drain begins, since
    /// lanes wait at the gate while a commit or an abort is retried.
    func beginStopping() {
        lock.withLock { stopping = true }
    }

    /// Commits what is open (final commit), then stops the committer thread. The revoke of
    /// ``KafkaConsumer/close()`` still commits anything added after this.
    func finish() {
        let first: Bool = lock.withLock {
            defer { committerStopped = true }
            return !committerStopped
        }
        guard first else { return }
        beginStopping()
        stopCommitter.signal()
        wake.signal()
        committerFinished.wait()
        commitOpenTransaction()
    }

    private func runCommitter() {
        while stopCommitter.wait(timeout: .now()) == .timedOut {
            _ = wake.wait(timeout: .now() + .milliseconds(Int(settings.commitInterval.milliseconds)))
            if lock.withLock({ failure != nil }) { break }
            commitOpenTransaction()
        }
        committerFinished.signal()
    }

    /// Commits the open transaction with the offsets of the inputs done in it. `revoking`:
    /// partitions about to go (their reads are invalidated once their offsets are taken);
    /// `assignmentLost`: their offsets can no longer commit, so the transaction is aborted.
    func commitOpenTransaction(revoking: [TopicPartition] = [], assignmentLost: Bool = false) {
        commitLock.lock()
        defer { commitLock.unlock() }
        guard lock.withLock({ failure == nil }) else { return }
        gate.close()
        defer { gate.open() }
        let offsets = consumer.takeTransactionOffsets()
        if !revoking.isEmpty { consumer.invalidateReads(revoking) }
        let (pending, committedIDs, reason) = lock.withLock { (records, ids, abortReason) }
        if let reason {
            abortAndRewind(reason, keeping: revoking)
            return
        }
        if assignmentLost {
            abortAndRewind("the assignment was lost", keeping: revoking)
            return
        }
        guard pending > 0 || !offsets.isEmpty else { return }
        do {
            if !offsets.isEmpty {
                guard let group = consumer.groupMetadata() else {
                    throw KafkaError(code: -1, name: "_STATE", message: "the consumer has no group metadata")
                }
                try retryingTransient { try producer.sendOffsetsToTransaction(offsets, group: group) }
            }
            try retryingTransient { try producer.commitTransaction() }
            commitAgainIfTheBrokerIgnoredTheOffsets(offsets)
            lock.withLock {
                records = 0
                ids = []
                consecutiveAborts = 0
            }
            metrics.transaction(committed: true)
            if !committedIDs.isEmpty { eventSink.yield(.committed(committedIDs)) }
            try producer.beginTransaction()
        } catch let error as KafkaError where !error.isFatal {
            abortAndRewind("commit failed: \(error)", keeping: revoking)
        } catch {
            fail(error)
        }
    }

    /// librdkafka's mock cluster (the embedded broker) accepts offsets sent with a transaction
    /// but never stores them, so every restart would start over from the beginning. The first
    /// commit checks; on such a broker the same offsets are then also committed by the
    /// consumer once the transaction committed (never ahead of it), with a warning that
    /// exactly-once does not hold there. A real Kafka stores them and is left alone. (A real
    /// Kafka writes them with the commit markers just after the commit returns; should the
    /// check ever run first, the consumer merely commits offsets of committed transactions
    /// too, which is harmless, and the warning is wrong. Waiting here instead would leave the
    /// first transaction's offsets uncommitted on the embedded broker meanwhile.)
    private func commitAgainIfTheBrokerIgnoredTheOffsets(_ offsets: [TopicPartition: Int64]) {
        guard let (partition, offset) = offsets.first else { return }
        if brokerStoresTransactionalOffsets == nil {
            guard let stored = try? consumer.committedOffsets([partition]) else { return }
            brokerStoresTransactionalOffsets = stored[partition] == offset
            if stored[partition] != offset {
                logger.warning(
                    "this broker does not store offsets sent with a transaction (librdkafka's mock cluster, i.e. the embedded broker, does not): committing them from the consumer as well. Exactly-once does not hold on this broker; use Kafka >= 2.5")
            }
        }
        guard brokerStoresTransactionalOffsets == false else { return }
        do { try consumer.commit(offsets) } catch { logger.debug("offsets not committed by the consumer: \(error)") }
    }

    /// Aborts the open transaction and rewinds the assigned partitions (except `keeping`,
    /// which are being revoked) to their committed offsets. Called with the gate closed.
    private func abortAndRewind(_ reason: String, keeping revoking: [TopicPartition]) {
        let aborts: Int = lock.withLock {
            consecutiveAborts += 1
            return consecutiveAborts
        }
        logger.warning("aborting the open transaction and reading its inputs again: \(reason)")
        metrics.transaction(committed: false)
        do {
            try retryingTransient { try producer.abortTransaction() }
        } catch let error as KafkaError where !error.isFatal && lock.withLock({ stopping }) {
            // Nothing of it is lost: its inputs' offsets were not committed, so they are read
            // again, and the broker aborts it (transaction timeout, or when an instance with
            // this transactional.id starts). Retrying here would hold the drain while the
            // broker is away.
            logger.warning("stopping: the open transaction could not be aborted (\(error)); the broker aborts it")
            lock.withLock { failure = error }
            return
        } catch {
            fail(error)
            return
        }
        do {
            lock.withLock {
                records = 0
                ids = []
                abortReason = nil
            }
            let gone = Set(revoking)
            let rewound = consumer.assignment().filter { !gone.contains($0) }
            try consumer.rewindToCommitted(rewound)
            for partition in rewound { metrics.increment(.rewound, topic: partition.topic) }
            if !rewound.isEmpty { eventSink.yield(.rewound(rewound)) }
            // Back off while aborts repeat (a broker away): the gate holds lanes meanwhile.
            if aborts > 1 { Thread.sleep(forTimeInterval: min(0.1 * Double(1 << min(aborts - 1, 6)), 5)) }
            try producer.beginTransaction()
        } catch {
            fail(error)
        }
    }

    private func requestAbort(_ reason: String) {
        lock.withLock { if abortReason == nil { abortReason = reason } }
        wake.signal()
    }

    private func fail(_ error: Error) {
        let kafkaError = error as? KafkaError
            ?? KafkaError(code: -1, name: "_FAIL", message: "\(error)", isFatal: true)
        let first: Bool = lock.withLock {
            defer { if failure == nil { failure = kafkaError } }
            return failure == nil
        }
        guard first else { return }
        logger.critical(
            "exactly-once: the transactional producer cannot go on (\(kafkaError)); stopping. A newer instance with transactional.id \(transactionalID) fenced this one, or the broker refused it; restart the process",
            metadata: ["transactional_id": "\(transactionalID)"])
        eventSink.yield(.fatal(kafkaError))
    }

    /// Runs `body` again while it fails with a retriable (not fatal, not abort-requiring) error,
    /// unless the coordinator is stopping.
    private func retryingTransient(_ body: () throws -> Void) throws {
        var attempt = 0
        while true {
            do {
                try body()
                return
            } catch let error as KafkaError
                where error.isRetriable && !error.isFatal && !error.requiresTransactionAbort && attempt < 10 && !lock.withLock({ stopping })
            {
                attempt += 1
                logger.warning("transaction call failed, retrying (\(attempt)): \(error)")
                Thread.sleep(forTimeInterval: 0.1 * Double(attempt))
            }
        }
    }
}

/// The dead letter did not join the open transaction; the input is read again.
struct TransactionNotJoined: Error, CustomStringConvertible {
    var outcome: TransactionCoordinator.Outcome
    var description: String { "not added to the open transaction (\(outcome)); the message will be read again" }
}
