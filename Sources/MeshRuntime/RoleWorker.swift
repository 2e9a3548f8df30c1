import CoreMetrics
import Foundation
import Logging
import MeshCatalog
import MeshKafka
import MeshTracing
import Tracing
import MeshTransport
import MeshWire

/// How a ``RoleWorker`` runs.
public struct RoleWorkerConfiguration: Sendable {
    public var role: String
    public var instanceID: String
    /// Consumer group shared by every replica of the role.
    public var groupID: String
    public var topics: [String]
    /// Messages read ahead, in progress or awaiting acknowledgement of their outputs over all
    /// partitions (a memory bound; each partition is handled one message at a time, so this
    /// is not handler concurrency).
    public var maxInFlight: Int = 512
    public var retry = RetryPolicy()
    /// On shutdown, how long in-flight work may take before the worker leaves anyway.
    public var drainTimeout: Duration = .seconds(20)
    public var tickInterval: Duration?
    /// How often the instance's card (``AgentHeartbeat``) is republished; `nil`: never.
    public var heartbeatInterval: Duration? = .seconds(10)
    /// The catalog's topic for agent cards (``RoleProcess`` sets it from the catalog).
    public var heartbeatTopic = MeshTopics.agents
    /// What the card says does the work (`example`, `command`, `model`, `rules`, ...) and the
    /// model a model-backed instance calls.
    public var handlerKind = ""
    public var model = ""
    /// What the card lists the instance can do: the topics it consumes and the types it may
    /// produce (``RoleProcess`` derives them from the catalog).
    public var capabilities: [String] = []
    public var deadLetterTopic = MeshTopics.deadLetter
    /// Envelope ids remembered per owned partition for dropping redelivered duplicates.
    public var recentIDCapacity = 20_000
    /// How long an input that arrived before its cause (``HoldInput``) waits for it before it
    /// is dead-lettered. Long enough for a restarted instance to re-read a backlog.
    public var holdTimeout: Duration = .seconds(300)
    /// Inputs held per partition at most; beyond it the oldest is dead-lettered.
    public var maxHeldPerPartition = 5_000
    /// Consume-transform-produce in Kafka transactions (`--exactly-once`): outputs, dead
    /// letters and input offsets commit atomically (see ``TransactionCoordinator``).
    public var exactlyOnce = false
    /// Exactly-once: how often the open transaction commits (the latency it adds per hop).
    public var transactionCommitInterval: Duration = .milliseconds(100)
    /// Exactly-once: records after which the open transaction commits before the interval.
    public var transactionMaxRecords = 1000
    /// Where the spans of each hop (``MessagingSpans``) go; the worker sends what is left
    /// when it stops. `nil` (the default): tracing off, and then no span is created at all.
    public var tracing: TracingExport?

    public init(role: String, instanceID: String, groupID: String? = nil, topics: [String]) {
        self.role = role
        self.instanceID = instanceID
        self.groupID = groupID ?? "mesh-\(role)"
        self.topics = topics
    }
}

/// Counters an operator (and `/metrics`) reads.
public struct RoleWorkerStats: Sendable, Equatable {
    public var processed = 0
    public var duplicates = 0
    public var retried = 0
    public var deadLettered = 0
    public var rejected = 0
    public var unauthorized = 0
    public var published = 0
}

/// The one runtime every role runs on.
///
/// - Reads its topics as a consumer group; only verified envelopes reach the handler
///   (``MeshSubscriber``), and only those the catalog allows the signer to emit there.
/// - One lane per partition number: in order within a partition (and across co-partitioned
///   topics), concurrent across partitions, at most `maxInFlight` at once.
/// - A message is marked done (its offset committable) only after every output of it was
///   acknowledged by the broker; its lane hands the outputs to the producer and goes on to
///   the next message meanwhile (ordered per partition by librdkafka). Duplicates (same
///   envelope id) are dropped.
/// - Failures are retried with exponential backoff; after the budget the input goes to the
///   dead-letter topic with its reason, and the partition moves on.
/// - ``stop()`` (SIGTERM) stops fetching, lets in-flight work finish within the drain
///   timeout, commits, leaves the group and flushes the producer.
/// - Exactly-once mode (`exactlyOnce`): outputs, dead letters and input offsets are committed
///   together in Kafka transactions instead; see ``TransactionCoordinator``.
public final class RoleWorker: @unchecked Sendable {
    public let configuration: RoleWorkerConfiguration
    private let handler: any RoleHandler
    private let catalog: Catalog
    private let logger: Logger
    private let producer: KafkaProducer
    private let consumer: KafkaConsumer
    /// Seals and enqueues outputs (counted, with their send spans).
    private let sender: OutputSender
    private let subscriber: MeshSubscriber
    private let routing: PartitionRouting
    private let deadLetters: DeadLetterPublisher
    /// `nil` while tracing is off.
    private let spans: MessagingSpans?
    /// At-least-once or transactional: how outputs reach Kafka and offsets get committed.
    private let delivery: any Delivery
    /// Dead letters through ``delivery``'s sink, counted and noted for the card.
    private let deadLettering: DeadLettering
    private var stoppedBy: (any Error)?
    /// A batch role's loop (``init(configuration:kafka:sealer:opener:catalog:batchHandler:batching:logger:metricsFactory:)``);
    /// `nil` for a role handling envelopes one at a time.
    private let batches: (any BatchRunning)?
    private let permits: AsyncSemaphore
    private let lock = NSLock()
    private var lanes: [Int32: PartitionLane] = [:]
    /// Lanes of revoked partitions that may still be finishing their last envelopes.
    private var retiring: [Int32: PartitionLane] = [:]
    /// Per owned partition number: ids applied, inputs held, state-record order.
    private var progressByPartition: [Int32: PartitionProgress] = [:]
    /// Counters, histograms and gauges through swift-metrics (for `/metrics`).
    public let metrics: RoleMetrics
    private var running = false
    private var readerTask: Task<Void, Never>?
    private var stopping = false
    private var ready = false
    private let startedMicros = WallClock.nowUnixMicros()
    /// The last input this instance dead-lettered and why, for its card.
    private let lastError = LastError()

    public convenience init(
        configuration: RoleWorkerConfiguration, kafka: KafkaConfiguration, sealer: EnvelopeSealer, opener: EnvelopeOpener,
        catalog: Catalog, handler: any RoleHandler, logger: Logger, metricsFactory: (any MetricsFactory)? = nil
    ) throws {
        try self.init(
            configuration: configuration, kafka: kafka, sealer: sealer, opener: opener, catalog: catalog, handler: handler,
            batch: nil, logger: logger, metricsFactory: metricsFactory)
    }

    /// A worker for a role that keeps raw records in batches (the audit sink): every record
    /// read, verified or not, goes to `batchHandler` in batches of `batching`; the rest
    /// (offsets, retries, dead letters, health, metrics, tracing, the card, the shutdown) is
    /// the same as for every role. Not in exactly-once mode: a batch role produces nothing
    /// from its inputs.
    public convenience init(
        configuration: RoleWorkerConfiguration, kafka: KafkaConfiguration, sealer: EnvelopeSealer, opener: EnvelopeOpener,
        catalog: Catalog, batchHandler: some BatchHandler, batching: BatchSettings, logger: Logger,
        metricsFactory: (any MetricsFactory)? = nil
    ) throws {
        var configuration = configuration
        configuration.exactlyOnce = false
        configuration.tickInterval = nil
        try self.init(
            configuration: configuration, kafka: kafka, sealer: sealer, opener: opener, catalog: catalog,
            handler: NoEnvelopeHandler(), batch: (batchHandler, batching), logger: logger, metricsFactory: metricsFactory)
    }

    private init(
        configuration: RoleWorkerConfiguration, kafka: KafkaConfiguration, sealer: EnvelopeSealer, opener: EnvelopeOpener,
        catalog: Catalog, handler: any RoleHandler, batch: (handler: any BatchHandler, settings: BatchSettings)?,
        logger: Logger, metricsFactory: (any MetricsFactory)?
    ) throws {
        self.configuration = configuration
        metrics = RoleMetrics(role: configuration.role, factory: metricsFactory)
        self.handler = handler
        self.catalog = catalog
        self.logger = logger
        let clientID = "\(configuration.role)-\(configuration.instanceID)"
        let kafka = kafka.withDefaults(["client.id": clientID])
        producer = try KafkaProducer(
            configuration: configuration.exactlyOnce ? Self.transactional(kafka, id: clientID) : kafka, logger: logger)
        consumer = try KafkaConsumer(
            configuration: kafka, subscription: .group(groupID: configuration.groupID, topics: configuration.topics),
            logger: logger, batchSize: batch?.settings.consumerBatchSize ?? KafkaConsumer.defaultBatchSize,
            offsetCommits: configuration.exactlyOnce ? .inTransactions : .byConsumer)
        routing = PartitionRouting(catalog: catalog, partitionCounts: { [consumer] in try consumer.partitionCounts() })
        let publisher = MeshPublisher(producer: producer, sealer: sealer)
        deadLetters = DeadLetterPublisher(
            producer: producer, topic: configuration.deadLetterTopic, role: configuration.role, logger: logger)
        permits = AsyncSemaphore(permits: max(1, configuration.maxInFlight))
        spans = configuration.tracing.map {
            MessagingSpans(tracer: $0.tracer, role: configuration.role, instance: configuration.instanceID,
                           consumerGroup: configuration.groupID)
        }
        let metrics = self.metrics
        let sender = OutputSender(publisher: publisher, metrics: metrics, spans: spans)
        self.sender = sender
        if configuration.exactlyOnce {
            let transactions = try TransactionCoordinator(
                producer: producer, transactionalID: clientID, consumer: consumer, deadLetters: deadLetters,
                metrics: metrics,
                settings: .init(
                    commitInterval: configuration.transactionCommitInterval, maxRecords: configuration.transactionMaxRecords),
                logger: logger)
            deadLettering = DeadLettering(sink: transactions, consumer: consumer, metrics: metrics, lastError: lastError, logger: logger)
            delivery = TransactionalDelivery(transactions: transactions, sender: sender)
        } else {
            deadLettering = DeadLettering(sink: deadLetters, consumer: consumer, metrics: metrics, lastError: lastError, logger: logger)
            delivery = AtLeastOnceDelivery(
                sender: sender, consumer: consumer, deadLettering: deadLettering, permits: permits, retry: configuration.retry)
        }
        if let batch {
            let context = BatchContext(
                consumer: consumer,
                deadLettering: DeadLettering(sink: deadLetters, consumer: consumer, metrics: metrics, lastError: lastError, logger: logger),
                deadLetterTopic: deadLetters.topic, metrics: metrics, spans: spans, logger: logger)
            batches = Self.pipeline(batch.handler, batch.settings, context)
        } else {
            batches = nil
        }
        subscriber = MeshSubscriber(consumer: consumer, opener: opener, deadLetters: delivery.deadLetterSink, logger: logger) {
            rejection, message in
            metrics.increment(.rejected, topic: message.topic)
            metrics.deadLettered(topic: message.topic, reason: rejection.reason.rawValue)
        }
    }

    /// Producer settings of exactly-once mode: the transactional id is the client id
    /// (role + instance), stable across restarts of an instance, so a restarted instance
    /// fences its zombie. A crashed instance's open transaction holds read_committed readers
    /// of its partitions back until it restarts or `transaction.timeout.ms` passes.
    static func transactional(_ kafka: KafkaConfiguration, id: String) -> KafkaConfiguration {
        let configured = kafka.withDefaults(["transactional.id": id, "transaction.timeout.ms": "30000"])
        // librdkafka requires message.timeout.ms <= transaction.timeout.ms.
        return configured.withDefaults(["message.timeout.ms": configured["transaction.timeout.ms"] ?? "30000"])
    }

    /// The error that stopped the worker (exactly-once: fenced or fatal producer; a batch
    /// role: ``BatchAbandoned``), if any. The process should exit non-zero so it is restarted.
    public var failure: (any Error)? { lock.withLock { stoppedBy } }

    /// A batch role's pipeline over its handler's own `Prepared` type.
    private static func pipeline(_ handler: some BatchHandler, _ settings: BatchSettings, _ context: BatchContext) -> any BatchRunning {
        BatchPipeline(handler: handler, settings: settings, context: context)
    }

    /// Totals so far.
    public var stats: RoleWorkerStats {
        RoleWorkerStats(
            processed: metrics.total(.processed), duplicates: metrics.total(.duplicate), retried: metrics.total(.retried),
            deadLettered: metrics.total(.deadLettered), rejected: metrics.total(.rejected),
            unauthorized: metrics.total(.unauthorized), published: metrics.total(.published))
    }

    /// True while the run loop is alive (for `/livez`).
    public var isAlive: Bool { lock.withLock { running } }

    /// Live gauges for `/metrics`.
    public var gauges: RoleMetrics.Gauges {
        RoleMetrics.Gauges(
            ready: isReady, inFlight: consumer.inFlightCount, assignedPartitions: consumer.assignment().count,
            rebalances: consumer.rebalanceCount, lag: consumer.lag,
            held: lock.withLock { progressByPartition.values.reduce(0) { $0 + $1.heldCount } },
            role: batches?.gauges() ?? handler.gauges())
    }

    /// True once the worker owns partitions and is consuming, false while draining.
    public var isReady: Bool { lock.withLock { ready && !stopping } && !(batches?.failing ?? false) }

    /// Runs until ``stop()`` (or cancellation), then drains and closes.
    public func run() async {
        logger.info("starting", metadata: [
            "group": "\(configuration.groupID)", "topics": "\(configuration.topics.joined(separator: ","))",
            "instance": "\(configuration.instanceID)",
        ])
        if let transactions = (delivery as? TransactionalDelivery)?.transactions {
            logger.info("exactly-once mode: outputs and offsets commit in transactions", metadata: [
                "transactional_id": "\(transactions.transactionalID)",
                "commit_interval": "\(configuration.transactionCommitInterval)",
            ])
        }
        lock.withLock { running = true }
        defer { lock.withLock { running = false } }
        let background = startBackgroundTasks()
        let reader = Task {
            guard let batches = self.batches else { return await self.readLoop() }
            do { try await batches.run() } catch {
                self.logger.error("\(error)")
                self.lock.withLock { self.stoppedBy = error }
            }
        }
        lock.withLock { readerTask = reader }
        if lock.withLock({ stopping }) { reader.cancel() }
        await withTaskCancellationHandler {
            await reader.value
        } onCancel: {
            self.stop()
        }
        if failure == nil { await drainLanes() }
        delivery.finish()
        // The periodic cards stop before the last one, which says the instance is gone.
        background.forEach { $0.cancel() }
        if failure == nil { await publishLastCard() }
        consumer.close()
        producer.close()
        // After the producer's last deliveries, which end the last send spans.
        if let spans = await configuration.tracing?.shutdown() {
            logger.info("spans sent", metadata: [
                "exported": "\(spans.exported)", "dropped_queue_full": "\(spans.dropped)", "failed": "\(spans.failed)",
            ])
        }
        logger.info("stopped", metadata: ["processed": "\(stats.processed)", "dead_lettered": "\(stats.deadLettered)"])
    }

    /// Begins a graceful shutdown: no new messages; in-flight ones finish.
    public func stop() {
        let reader: Task<Void, Never>? = lock.withLock {
            stopping = true
            return readerTask
        }
        delivery.beginStopping()
        batches?.stop()
        reader?.cancel()
    }

    // MARK: - Reading and dispatch

    private func readLoop() async {
        while !Task.isCancelled {
            await permits.acquire()
            guard !Task.isCancelled, let inbound = await subscriber.next() else {
                permits.release()
                return
            }
            metrics.increment(.consumed, topic: inbound.message.topic)
            metrics.observeHopLatency(topic: inbound.message.topic, micros: WallClock.nowUnixMicros() - inbound.envelope.timeUnixMicros)
            lane(for: inbound.message.partition).submit(inbound)
        }
    }

    private func lane(for partition: Int32) -> PartitionLane {
        lock.withLock {
            if let lane = lanes[partition] { return lane }
            progressByPartition[partition] = PartitionProgress(
                recentIDCapacity: configuration.recentIDCapacity, heldCapacity: configuration.maxHeldPerPartition)
            let lane = PartitionLane(partition: partition, after: retiring.removeValue(forKey: partition)) {
                [unowned self] partition in
                await self.prepare(partition)
            } process: { [unowned self] inbound in
                await self.process(inbound)
            }
            lanes[partition] = lane
            return lane
        }
    }

    private func prepare(_ partition: Int32) async {
        var attempt = 1
        while !Task.isCancelled {
            do {
                try await handler.prepare(partition: partition)
                return
            } catch {
                logger.error("could not prepare partition \(partition), retrying: \(error)")
                try? await Task.sleep(for: configuration.retry.delay(after: attempt))
                attempt += 1
            }
        }
    }

    private func drainLanes() async {
        let all = lock.withLock { Array(lanes.values) + Array(retiring.values) }
        all.forEach { $0.finish() }
        let delivery = self.delivery
        let drained = Task {
            for lane in all { await lane.finished() }
            await delivery.drain()
        }
        let timeout = Task {
            try await Task.sleep(for: configuration.drainTimeout)
            drained.cancel()
            delivery.abandonPending()
        }
        await drained.value
        timeout.cancel()
    }

    /// What this instance knows of `partition`, while it owns it.
    private func progress(of partition: Int32) -> PartitionProgress? {
        lock.withLock { progressByPartition[partition] }
    }

    /// `partitions` went (revoked, or rewound in exactly-once mode): their lanes finish what
    /// they hold (stale reads, dropped), and what this instance remembered of them (ids seen,
    /// inputs held) is forgotten, so nothing of theirs is skipped when they come back.
    private func forget(_ partitions: [Int32]) async {
        let removed: [PartitionLane] = lock.withLock {
            partitions.compactMap { partition in
                progressByPartition[partition] = nil
                let lane = lanes.removeValue(forKey: partition)
                if let lane { retiring[partition] = lane }
                return lane
            }
        }
        removed.forEach { $0.finish() }
        await handler.revoked(partitions: partitions)
    }

    // MARK: - Processing one message

    /// Handles `inbound` on its partition's lane. `ownsPermit`: it holds an in-flight permit
    /// (every input read does; a parked input handed back to the handler does not).
    private func process(_ inbound: InboundEnvelope, ownsPermit: Bool = true) async {
        // Released here unless the input's outputs are still awaiting acknowledgement.
        var releasesPermit = ownsPermit
        defer { if releasesPermit { permits.release() } }
        // Read before its partition was revoked (or rewound): handling it now could apply it
        // to state this instance no longer owns. It is read again from the committed offset,
        // here or by the partition's new owner.
        guard consumer.isCurrent(inbound.message), let progress = progress(of: inbound.message.partition) else { return }
        let log = MessageLog(base: logger, inbound: inbound)
        // Ended when the input is settled; left unended (so never exported) when the input
        // is dropped as a duplicate, held for its cause, or read again after a restart, as
        // its later handling exports the span of the same id.
        let span = spans?.startProcess(
            inbound.envelope, topic: inbound.message.topic, partition: inbound.message.partition,
            offset: inbound.message.offset)
        if let rejection = Authorization.check(inbound, catalog: catalog) {
            log.error("refused an envelope the catalog does not allow", metadata: [
                "reason": "\(rejection.reason.rawValue)", "detail": "\(rejection.detail)", "security_event": "true",
            ])
            metrics.increment(.unauthorized, topic: inbound.message.topic)
            await deadLetter(inbound, reason: rejection.reason.rawValue, detail: rejection.detail, attempts: 1, span: span)
            return
        }
        if let misrouted = routing.check(inbound) {
            log.error("refused a record on the wrong partition", metadata: ["reason": "\(misrouted.reason.rawValue)", "detail": "\(misrouted.detail)"])
            metrics.increment(.rejected, topic: inbound.message.topic)
            await deadLetter(inbound, reason: misrouted.reason.rawValue, detail: misrouted.detail, attempts: 1, span: span)
            return
        }
        if let repeated = progress.repeatOf(inbound) {
            switch repeated {
            case .redelivery, .superseded:
                // A redelivery, or the producer's later copy after it handled its input again:
                // the first copy applied is the one that counts.
                let superseded = repeated == .superseded
                metrics.increment(superseded ? .superseded : .duplicate, topic: inbound.message.topic)
                log.debug(superseded ? "later copy of a re-handled input's output dropped" : "duplicate dropped")
                await delivery.skip(inbound)
            case .conflict(let detail):
                log.error("refused an envelope whose id belongs to another", metadata: [
                    "reason": "\(EnvelopeRejection.Reason.idConflict.rawValue)", "detail": "\(detail)", "security_event": "true",
                ])
                metrics.increment(.idConflict, topic: inbound.message.topic)
                await deadLetter(
                    inbound, reason: EnvelopeRejection.Reason.idConflict.rawValue, detail: detail, attempts: 1, span: span)
            }
            return
        }
        let topic = inbound.message.topic
        var attempt = 1
        // While a message waits for its retry, its partition stops fetching, so its read-ahead
        // cannot fill the in-flight bound and stall the other partitions.
        var paused = false
        defer { if paused { resumeFetching(inbound.message.topicPartition) } }
        while true {
            let started = ContinuousClock.now
            do {
                // Spans a handler starts (through the tracing API) are children of the hop's.
                let outputs = if let span {
                    try await InstrumentationContext.withValue(span.context) { try await handler.handle(inbound) }
                } else {
                    try await handler.handle(inbound)
                }
                metrics.observeHandlerDuration(seconds: (ContinuousClock.now - started).seconds)
                // Revoked while it was handled: the new owner handles it again.
                guard consumer.isCurrent(inbound.message) else { return }
                let handled = HandledInput(
                    inbound: inbound, outputs: outputs, progress: progress, ownsPermit: ownsPermit, log: log, span: span)
                if try await delivery.deliver(handled) { releasesPermit = false }
                await handOverHeld(waitingFor: inbound.envelope.correlationID, progress)
                return
            } catch let hold as HoldInput {
                await park(inbound, hold, progress, log: log)
                return
            } catch let permanent as PermanentHandlerError {
                metrics.increment(.failed, topic: topic)
                let metadata: Logger.Metadata = ["reason": "\(permanent.reason)", "security_event": "\(permanent.isSecurityEvent)"]
                log.error("cannot be processed: \(permanent.detail)", metadata: metadata)
                await deadLetter(inbound, reason: permanent.reason, detail: permanent.detail, attempts: attempt, span: span)
                return
            } catch {
                if lock.withLock({ stopping }) && error is CancellationError { return }  // read again after restart
                metrics.increment(.failed, topic: topic)
                guard attempt < configuration.retry.maxAttempts else {
                    log.error("giving up after \(attempt) attempts: \(error)")
                    await deadLetter(inbound, reason: "handler-failed", detail: "\(error)", attempts: attempt, span: span)
                    return
                }
                metrics.increment(.retried, topic: topic)
                if !paused { paused = pauseFetching(inbound.message.topicPartition) }
                log.warning("attempt \(attempt) failed, retrying: \(error)")
                try? await Task.sleep(for: configuration.retry.delay(after: attempt))
                attempt += 1
            }
        }
    }

    /// Parks `inbound` until an input of `hold.key` was handled on its partition; beyond the
    /// partition's bound, the oldest parked input goes to the dead-letter topic.
    private func park(_ inbound: InboundEnvelope, _ hold: HoldInput, _ progress: PartitionProgress, log: MessageLog) async {
        metrics.increment(.held, topic: inbound.message.topic)
        log.info("held until its cause is handled", metadata: ["waiting_for": "\(hold.key)", "reason": "\(hold.reason)"])
        guard let overflow = progress.hold(inbound, hold) else { return }
        let detail = "\(overflow.hold.detail); dropped from the \(configuration.maxHeldPerPartition) inputs held on "
            + "partition \(inbound.message.partition) while their causes were missing"
        MessageLog(base: logger, inbound: overflow.input).error("held input dead-lettered: bound reached", metadata: [
            "reason": "\(overflow.hold.reason)",
        ])
        await deadLetter(overflow.input, reason: overflow.hold.reason, detail: detail, attempts: 1)
    }

    /// Inputs parked for `key` get their turn, in arrival order, now that an input of `key`
    /// was handled on the same partition.
    private func handOverHeld(waitingFor key: String, _ progress: PartitionProgress) async {
        for entry in progress.takeHeld(waitingFor: key) {
            await process(entry.input, ownsPermit: false)
        }
    }

    /// Dead-letters every input held longer than the hold timeout.
    private func expireHeld() async {
        let cutoff = ContinuousClock.now - configuration.holdTimeout
        let all = lock.withLock { Array(progressByPartition.values) }
        for progress in all {
            for entry in progress.takeExpired(heldAtOrBefore: cutoff) {
                let detail = "\(entry.hold.detail); held \(configuration.holdTimeout) without its cause arriving"
                MessageLog(base: logger, inbound: entry.input).error("held input dead-lettered: its cause never came",
                                                                    metadata: ["reason": "\(entry.hold.reason)"])
                await deadLetter(entry.input, reason: entry.hold.reason, detail: detail, attempts: 1)
            }
        }
    }

    private func pauseFetching(_ partition: TopicPartition) -> Bool {
        do {
            try consumer.pause([partition])
            return true
        } catch {
            logger.warning("could not pause \(partition) during a retry: \(error)")
            return false
        }
    }

    private func resumeFetching(_ partition: TopicPartition) {
        do { try consumer.resume([partition]) } catch { logger.warning("could not resume \(partition): \(error)") }
    }

    /// Sends `inbound` to the dead-letter topic and marks it done; `false` when the dead
    /// letter could not be sent (shutdown), so the input stays unacknowledged and is read again.
    @discardableResult
    private func deadLetter(
        _ inbound: InboundEnvelope, reason: String, detail: String, attempts: Int, span: MeshSpan? = nil
    ) async -> Bool {
        await deadLettering.send(inbound, reason: reason, detail: detail, attempts: attempts, span: span)
    }

    /// Outputs not caused by an input (ticks, heartbeats): published at once, or in
    /// exactly-once mode added to the open transaction.
    private func publishUnprompted(_ outputs: [OutboundEnvelope]) async throws {
        try await delivery.publishUnprompted(outputs)
    }

    /// Publishes in order (librdkafka keeps per-partition order of enqueue) and returns
    /// once the broker acknowledged every one.
    public func publishAll(_ outputs: [OutboundEnvelope]) async throws {
        guard !outputs.isEmpty else { return }
        try await sender.enqueueAll(outputs).wait()
    }

    // MARK: - Background: rebalances, ticks, heartbeats

    private func startBackgroundTasks() -> [Task<Void, Never>] {
        var tasks: [Task<Void, Never>] = []
        tasks.append(Task {
            for await event in consumer.rebalanceEvents {
                switch event {
                case .assigned(let partitions):
                    lock.withLock { ready = true }
                    logger.info("assigned \(partitions.count) partitions")
                case .revoked(let partitions):
                    await forget(Array(Set(partitions.map(\.partition))).sorted())
                }
            }
        })
        if let transactions = (delivery as? TransactionalDelivery)?.transactions {
            tasks.append(Task {
                for await event in transactions.events {
                    switch event {
                    case .committed(let inputs):
                        for input in inputs { progress(of: input.partition)?.finishApplying(input.id) }
                    case .rewound(let partitions):
                        await forget(Array(Set(partitions.map(\.partition))).sorted())
                    case .fatal(let error):
                        lock.withLock { stoppedBy = error }
                        stop()
                    }
                }
            })
        }
        tasks.append(Task {
            let interval = min(.seconds(1), configuration.holdTimeout / 4)
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { return }
                await expireHeld()
            }
        })
        if let interval = configuration.tickInterval {
            tasks.append(Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    guard !Task.isCancelled else { return }
                    let outputs = await handler.tick(nowMicros: WallClock.nowUnixMicros())
                    do { try await publishUnprompted(outputs) } catch { logger.warning("tick outputs not published: \(error)") }
                }
            })
        }
        if let interval = configuration.heartbeatInterval {
            tasks.append(Task {
                while !Task.isCancelled {
                    // Exactly-once: heartbeats ride in the open transaction (one producer per
                    // process); readers see them at the next commit.
                    do { try await publishUnprompted([heartbeat()]) } catch { logger.debug("heartbeat not published: \(error)") }
                    try? await Task.sleep(for: interval)
                }
            })
        }
        return tasks
    }

    /// The instance's card as of now. `stopping`: its last one, sent after the drain, so
    /// `meshctl agents` shows it gone at once rather than after three missed intervals.
    private func heartbeat(stopping: Bool = false) -> OutboundEnvelope {
        let stats = self.stats
        let lastError = self.lastError.value
        // A card belongs to no objective: it is a root that is its own correlation
        // (Proto/CONTRACT.md), so it never files liveness under an objective id. The record
        // key is the agent id, so the compacted topic keeps each instance's latest card.
        let id = Envelope.makeID()
        let envelope = Envelope(
            id: id, source: SourcePath.make(role: configuration.role, instance: configuration.instanceID),
            correlationID: id, subject: configuration.role,
            payload: .agentHeartbeat(AgentHeartbeat(
                agentID: configuration.instanceID, role: configuration.role, version: MeshRuntimeVersion.current,
                inFlight: UInt32(consumer.inFlightCount), processed: UInt64(stats.processed),
                startedUnixMicros: startedMicros, handler: configuration.handlerKind, model: configuration.model,
                capabilities: configuration.capabilities, lastError: lastError?.text ?? "",
                lastErrorUnixMicros: lastError?.unixMicros ?? 0,
                intervalMillis: UInt32(clamping: (configuration.heartbeatInterval ?? .zero).milliseconds),
                stopping: stopping)))
        return OutboundEnvelope(topic: configuration.heartbeatTopic, envelope: envelope, key: configuration.instanceID)
    }

    /// Best effort, at-least-once mode only: the card is enqueued and flushed for up to two
    /// seconds, so a broker that is away does not hold the shutdown up (the producer's close
    /// flushes what is left, as for every other pending record). In exactly-once mode the
    /// transaction is being finished; the card then ages out after three intervals.
    private func publishLastCard() async {
        guard configuration.heartbeatInterval != nil, delivery.sendsLastCard else { return }
        _ = sender.enqueueAll([heartbeat(stopping: true)])
        do { try producer.flush(timeout: .seconds(2)) } catch { logger.debug("last card not delivered yet: \(error)") }
    }

}

/// The last input an instance dead-lettered and why, for its card.
final class LastError: @unchecked Sendable {
    /// Characters of the last error a card carries (a dead letter keeps the whole story).
    static let limit = 300

    private let lock = NSLock()
    private var last: (text: String, unixMicros: Int64)?

    var value: (text: String, unixMicros: Int64)? { lock.withLock { last } }

    func deadLettered(_ message: ConsumedMessage, reason: String, detail: String) {
        let text = "\(reason) on \(message.topic)[\(message.partition)]@\(message.offset): \(detail)"
        lock.withLock { last = (String(text.prefix(Self.limit)), WallClock.nowUnixMicros()) }
    }
}

public enum MeshRuntimeVersion {
    public static let current = "0.1.0"
}

/// A batch role's stand-in for the per-envelope handler: its records go to its
/// ``BatchHandler`` instead, so this is never asked to handle one.
private struct NoEnvelopeHandler: RoleHandler {
    func handle(_ inbound: InboundEnvelope) async throws -> [OutboundEnvelope] {
        throw PermanentHandlerError(reason: "batch-role", detail: "a batch role handles no single envelope")
    }
}

/// An input applied in an open transaction (exactly-once), remembered as seen once it commits.
struct ProcessedInput: Sendable, Equatable {
    var partition: Int32
    var id: String
}
