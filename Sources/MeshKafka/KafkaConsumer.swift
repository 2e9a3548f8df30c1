import CRdKafka
import Foundation
import Logging

/// A change in the partitions this consumer owns.
public enum RebalanceEvent: Sendable, Equatable {
    case assigned([TopicPartition])
    case revoked([TopicPartition])
}

/// Reads records from Kafka as an `AsyncSequence`, storing offsets only for records the
/// caller marked done.
///
/// Offsets: `enable.auto.offset.store` is off, so nothing is committed merely because it was
/// read. ``markDone(_:)`` feeds an ``OffsetTracker`` that releases the contiguous watermark
/// per partition; librdkafka's committer then commits stored offsets in the background, on
/// revoke (explicitly, before the partitions move) and on ``close()``. A record handed out
/// but never marked done is read again after a restart or a rebalance.
///
/// Records are fetched in batches (`rd_kafka_consume_batch_queue`) into a small buffer; the
/// blocking wait for new data runs on a dedicated dispatch queue, never on the cooperative
/// pool.
public final class KafkaConsumer: @unchecked Sendable {
    /// Defaults for group consumers; any of them can be overridden.
    public static let defaultProperties: [String: String] = [
        "enable.auto.commit": "true",
        "auto.commit.interval.ms": "1000",
        "enable.auto.offset.store": "false",  // we store offsets only after done
        "auto.offset.reset": "earliest",
        "enable.partition.eof": "false",
        "statistics.interval.ms": "5000",  // consumer lag for /metrics
        // librdkafka's default too, stated so nobody turns it off by accident: records of
        // aborted or still-open transactions are never handed out.
        "isolation.level": "read_committed",
    ]

    /// Records fetched per poll unless configured otherwise.
    public static let defaultBatchSize = 256

    /// Who commits the offsets of records marked done.
    public enum OffsetCommits: Sendable {
        /// This consumer: stored offsets are committed in the background, on revoke and on close.
        case byConsumer
        /// A transactional producer (exactly-once): ``markDone(_:)`` only collects offsets for
        /// ``takeTransactionOffsets()``; nothing is committed by the consumer itself, and a
        /// revoke calls ``setRevokeHandler(_:)``'s handler to finish the open transaction first.
        case inTransactions
    }

    /// How the consumer gets its partitions.
    public enum Subscription: Sendable {
        /// Joins consumer group `groupID` and shares `topics` with its other members.
        case group(groupID: String, topics: [String])
        /// Reads exactly these partitions from the beginning, outside any group (tools,
        /// replay, benchmarks). ``markDone(_:)`` stores nothing in this mode.
        case partitions([TopicPartition])
        /// Like ``partitions(_:)``, but the records end once every partition was read to its
        /// end (librdkafka's end-of-partition event: the high watermark, or the last stable
        /// offset under read_committed, so a trailing transaction marker, which is never
        /// handed out, does not keep a reader waiting).
        case partitionsToEnd([TopicPartition])
    }

    public let subscription: Subscription
    public let offsetCommits: OffsetCommits
    let client: RDKafkaClient
    private let queue: OpaquePointer
    private let logger: Logger
    private let batchSize: Int
    /// Where a poll receives its batch of message pointers; used under `pollLock` only. Made
    /// once: a 2 KiB array per poll (one record per poll at low rates) cost an allocation
    /// large enough to make glibc consolidate its fast bins every time.
    private let pollSlots: UnsafeMutableBufferPointer<UnsafeMutablePointer<rd_kafka_message_t>?>
    /// Serialises every call that serves librdkafka's consumer queue (poll, close).
    private let pollLock = NSLock()
    /// Guards `state` and `revokeHandler`; never held across a blocking librdkafka call.
    let stateLock = NSLock()
    /// Everything known between librdkafka calls; its changes return what to tell librdkafka.
    var state: ConsumerState
    private let pollQueue = DispatchQueue(label: "agentmesh.kafka.consumer-poll")
    private let rebalanceContinuation: AsyncStream<RebalanceEvent>.Continuation
    var revokeHandler: (@Sendable (_ partitions: [TopicPartition], _ lost: Bool) -> Void)?
    /// Where a partition without a committed offset starts (`auto.offset.reset`).
    let resetOffset: Int64

    /// Assignment changes, in order. Buffered; read it or ignore it.
    public let rebalanceEvents: AsyncStream<RebalanceEvent>

    public init(
        configuration: KafkaConfiguration, subscription: Subscription, logger: Logger, batchSize: Int = defaultBatchSize,
        offsetCommits: OffsetCommits = .byConsumer
    ) throws {
        self.subscription = subscription
        self.offsetCommits = offsetCommits
        self.logger = logger
        self.batchSize = batchSize
        pollSlots = .allocate(capacity: batchSize)
        pollSlots.initialize(repeating: nil)
        (rebalanceEvents, rebalanceContinuation) = AsyncStream.makeStream(of: RebalanceEvent.self)
        var properties = configuration.withDefaults(Self.defaultProperties).properties
        var readingToEnd: [TopicPartition] = []
        if case .partitionsToEnd(let partitions) = subscription { readingToEnd = partitions }
        var tracksOffsets = false
        if case .group = subscription { tracksOffsets = true }
        state = ConsumerState(offsetCommits: offsetCommits, tracksOffsets: tracksOffsets, readingToEnd: readingToEnd)
        if case .group(let groupID, _) = subscription {
            properties["group.id"] = groupID
        } else {
            properties["group.id"] = properties["group.id"] ?? "agentmesh-unmanaged"
            properties["enable.auto.commit"] = "false"
        }
        if !readingToEnd.isEmpty { properties["enable.partition.eof"] = "true" }
        if offsetCommits == .inTransactions { properties["enable.auto.commit"] = "false" }
        let reset = properties["auto.offset.reset"] ?? "earliest"
        resetOffset = Int64(["earliest", "smallest", "beginning"].contains(reset) ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END)
        let callbacks = RDKafkaCallbacks(logger: logger)
        client = try RDKafkaClient(kind: .consumer, properties: properties, callbacks: callbacks) { conf in
            if case .group = subscription { rd_kafka_conf_set_rebalance_cb(conf, rebalanceCallback) }
        }
        // Route the main queue (errors, logs, rebalances) into the consumer queue so one
        // poll serves everything.
        rd_kafka_poll_set_consumer(client.handle)
        queue = rd_kafka_queue_get_consumer(client.handle)
        callbacks.onRebalance = { [unowned self] handle, err, partitions in
            self.handleRebalance(handle, err, partitions)
        }
        callbacks.onStatistics = { [unowned self] json in
            let lag = ConsumerLagStatistics.parse(json)
            self.stateLock.withLock { self.state.statistics(lag: lag) }
        }
        switch subscription {
        case .group(_, let topics):
            let list = makePartitionList(topics.map { TopicPartition(topic: $0, partition: RD_KAFKA_PARTITION_UA) })
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let err = rd_kafka_subscribe(client.handle, list)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err, context: "subscribe to \(topics)") }
        case .partitions(let partitions), .partitionsToEnd(let partitions):
            let list = makePartitionList(partitions, offsets: partitions.map { _ in Int64(RD_KAFKA_OFFSET_BEGINNING) })
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let err = rd_kafka_assign(client.handle, list)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err, context: "assign \(partitions)") }
        }
    }

    deinit {
        close()
        rd_kafka_queue_destroy(queue)
        pollSlots.deallocate()
    }

    /// The records, one at a time, until ``close()`` or task cancellation.
    public var messages: Messages { Messages(consumer: self) }

    /// Marks a record as fully processed (its outputs acknowledged). Its offset becomes
    /// committable once every earlier record of its partition is done too.
    /// A record read before its partition was revoked or rewound stores nothing: its
    /// partition's offsets belong to the new owner (or the new read) by then.
    public func markDone(_ message: ConsumedMessage) {
        guard let action = stateLock.withLock({ state.markDone(message) }) else { return }
        perform(action, client.handle)
    }

    /// Tells librdkafka what a change of ``state`` requires (never under `stateLock`).
    private func perform(_ action: ConsumerState.Action, _ handle: OpaquePointer) {
        switch action {
        case .storeOffset(let partition, let offset):
            let list = makePartitionList([partition], offsets: [offset])
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let err = rd_kafka_offsets_store(handle, list)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                // Fails for partitions no longer assigned: the new owner re-reads them.
                logger.debug("offset not stored for \(partition): \(KafkaError(err, context: "store"))")
            }
        case .commitStored:
            let err = rd_kafka_commit(handle, nil, 0)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET {
                logger.warning("commit on revoke: \(KafkaError(err, context: "commit"))")
            }
        case .finishTransaction(let partitions, let lost):
            stateLock.withLock { revokeHandler }?(partitions, lost)
        }
    }

    /// Commits the stored offsets now and waits for the broker's answer.
    public func commit() async throws {
        let client = self.client
        let err: rd_kafka_resp_err_t = await withCheckedContinuation { continuation in
            pollQueue.async { continuation.resume(returning: rd_kafka_commit(client.handle, nil, 0)) }
        }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET {
            throw KafkaError(err, context: "commit")
        }
    }

    /// Stops fetching `partitions` until ``resume(_:)``. Records this consumer already fetched
    /// are still handed out: librdkafka's position is past them, so dropping them here would
    /// lose them until a restart.
    public func pause(_ partitions: [TopicPartition]) throws {
        let list = makePartitionList(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_pause_partitions(client.handle, list)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err, context: "pause \(partitions)") }
    }

    public func resume(_ partitions: [TopicPartition]) throws {
        let list = makePartitionList(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_resume_partitions(client.handle, list)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err, context: "resume \(partitions)") }
    }

    /// The partitions currently assigned to this consumer.
    public func assignment() -> [TopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>? = nil
        guard rd_kafka_assignment(client.handle, &list) == RD_KAFKA_RESP_ERR_NO_ERROR else { return [] }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return topicPartitions(list).sorted()
    }

    /// Partition counts of the cluster's topics, as this consumer's producers see them (one
    /// metadata request; blocks up to `timeout`).
    public func partitionCounts(timeout: Duration = .seconds(10)) throws -> [String: Int] {
        try client.partitionCounts(timeout: timeout)
    }

    /// Consumer lag per assigned partition (high watermark minus committed offset) from
    /// librdkafka's latest statistics (`statistics.interval.ms`, default 5 s).
    public var lag: [TopicPartition: Int64] { stateLock.withLock { state.lag } }

    /// Rebalances (assignments and revocations) seen so far.
    public var rebalanceCount: Int { stateLock.withLock { state.rebalances } }

    /// Records handed out and not yet marked done.
    public var inFlightCount: Int { stateLock.withLock { state.inFlightCount } }

    /// Leaves the group cleanly: the revoke commits stored offsets, then the member leaves so
    /// the others take over at once. Pending `next()` calls return `nil`. Idempotent.
    public func close() {
        guard stateLock.withLock({ state.close() }) else { return }
        pollLock.lock()
        let err = rd_kafka_consumer_close(client.handle)
        pollLock.unlock()
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("consumer close: \(KafkaError(err, context: "close"))")
        }
        rebalanceContinuation.finish()
    }

    /// Whether `message` was read after the latest rewind or revoke of its partition; work
    /// on a message that is not current must be discarded (its partition is read again, here
    /// or by its new owner). Holds in both offset-commit modes.
    public func isCurrent(_ message: ConsumedMessage) -> Bool {
        stateLock.withLock { state.isCurrent(message) }
    }

    /// Performs the requested rewinds. Called on the polling thread with `pollLock` held.
    private func performPendingSeeks() {
        let seeks = stateLock.withLock { state.takeSeeks() }
        guard !seeks.isEmpty else { return }
        let sorted = seeks.sorted { $0.key < $1.key }
        let list = makePartitionList(sorted.map(\.key), offsets: sorted.map(\.value))
        defer { rd_kafka_topic_partition_list_destroy(list) }
        if let error = rd_kafka_seek_partitions(client.handle, list, 10_000) {
            logger.error("\(KafkaError(consuming: error, context: "rewind \(sorted.map(\.key))"))")
            return
        }
        for index in 0..<Int(list.pointee.cnt) where list.pointee.elems[index].err != RD_KAFKA_RESP_ERR_NO_ERROR {
            // Revoked meanwhile: its new owner reads it from the committed offset anyway.
            logger.warning("\(KafkaError(list.pointee.elems[index].err, context: "rewind \(sorted[index].key)"))")
        }
    }

    // MARK: - Polling

    /// Next record, or `nil` once closed.
    fileprivate func next() async -> ConsumedMessage? {
        while true {
            if let message = takeBuffered() { return message }
            if closed || Task.isCancelled || reachedEnd { return nil }
            // Fast path: whatever librdkafka already prefetched, without blocking.
            if fillBuffer(timeoutMs: 0) { continue }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                pollQueue.async {
                    _ = self.fillBuffer(timeoutMs: 100)
                    continuation.resume()
                }
            }
        }
    }

    /// `.partitionsToEnd` and every partition read to its end.
    private var reachedEnd: Bool {
        guard case .partitionsToEnd = subscription else { return false }
        return stateLock.withLock { state.partitionsBeforeEnd.isEmpty }
    }

    private var closed: Bool { stateLock.withLock { state.isClosed } }

    private func takeBuffered() -> ConsumedMessage? { stateLock.withLock { state.takeBuffered() } }

    /// Serves the consumer queue once; returns whether records were added to the buffer.
    ///
    /// `rd_kafka_consume_batch_queue` with a timeout waits for a *full* batch or the whole
    /// timeout, which would add up to `timeoutMs` to every hop while records trickle in. So
    /// the blocking wait is for the first record only (`rd_kafka_consumer_poll` returns as
    /// soon as one arrives); the rest of the batch is whatever is already fetched.
    private func fillBuffer(timeoutMs: Int32) -> Bool {
        pollLock.lock()
        defer { pollLock.unlock() }
        if closed { return false }
        performPendingSeeks()
        let epochsAtStart = stateLock.withLock { state.readEpochs }
        let pointers = pollSlots
        var count = max(rd_kafka_consume_batch_queue(queue, 0, pointers.baseAddress, batchSize), 0)
        if count == 0, timeoutMs > 0, let first = rd_kafka_consumer_poll(client.handle, timeoutMs) {
            pointers[0] = first
            count = 1 + max(rd_kafka_consume_batch_queue(queue, 0, pointers.baseAddress! + 1, batchSize - 1), 0)
        }
        guard count > 0 else { return false }
        var received: [ConsumedMessage] = []
        received.reserveCapacity(count)
        var topic: (handle: OpaquePointer?, name: String) = (nil, "")
        for index in 0..<count {
            guard let pointer = pointers[index] else { continue }
            defer { rd_kafka_message_destroy(pointer) }
            if pointer.pointee.err == RD_KAFKA_RESP_ERR__PARTITION_EOF, let topic = pointer.pointee.rkt {
                let partition = TopicPartition(topic: String(cString: rd_kafka_topic_name(topic)), partition: pointer.pointee.partition)
                stateLock.withLock { state.reachedEnd(of: partition) }
                continue
            }
            if pointer.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.warning("consumer: \(KafkaError(pointer.pointee.err, context: messageErrorContext(pointer)))")
                continue
            }
            if pointer.pointee.rkt != topic.handle {
                topic = (pointer.pointee.rkt, String(cString: rd_kafka_topic_name(pointer.pointee.rkt)))
            }
            received.append(ConsumedMessage(pointer, topic: topic.name))
        }
        stateLock.withLock { state.received(received, epochsAtStart: epochsAtStart) }
        return !received.isEmpty
    }

    private func messageErrorContext(_ pointer: UnsafeMutablePointer<rd_kafka_message_t>) -> String {
        guard let topic = pointer.pointee.rkt else { return "consume" }
        return "consume \(String(cString: rd_kafka_topic_name(topic)))[\(pointer.pointee.partition)]"
    }

    // MARK: - Rebalance (runs inside a poll, on the polling thread)

    fileprivate func handleRebalance(_ handle: OpaquePointer, _ err: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        let partitions = topicPartitions(list).sorted()
        let cooperative = String(cString: rd_kafka_rebalance_protocol(handle)) == "COOPERATIVE"
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            stateLock.withLock { state.assigned(partitions) }
            if cooperative {
                if let error = rd_kafka_incremental_assign(handle, list) {
                    logger.error("\(KafkaError(consuming: error, context: "incremental assign"))")
                }
            } else {
                rd_kafka_assign(handle, list)
            }
            logger.info("partitions assigned", metadata: ["partitions": "\(partitions.map(\.description).joined(separator: ","))"])
            rebalanceContinuation.yield(.assigned(partitions))
        default:
            // Commit what is done before the partitions move, so the next owner starts
            // after it; a lost assignment (session expired) may no longer commit.
            let lost = rd_kafka_assignment_lost(handle) != 0
            if let action = stateLock.withLock({ state.revoking(partitions, lost: lost) }) { perform(action, handle) }
            // Records read before the revoke are no longer current in either mode: a record
            // still queued for a handler must be dropped, not handled, since the partition's
            // new owner reads it again from the committed offset.
            stateLock.withLock { state.invalidateRevoked(partitions) }
            if cooperative {
                if let error = rd_kafka_incremental_unassign(handle, list) {
                    logger.error("\(KafkaError(consuming: error, context: "incremental unassign"))")
                }
            } else {
                rd_kafka_assign(handle, nil)
            }
            logger.info("partitions revoked", metadata: ["partitions": "\(partitions.map(\.description).joined(separator: ","))"])
            rebalanceContinuation.yield(.revoked(partitions))
        }
    }
}

extension KafkaConsumer {
    /// The consumer's records as an `AsyncSequence`.
    public struct Messages: AsyncSequence, Sendable {
        public typealias Element = ConsumedMessage
        let consumer: KafkaConsumer

        public struct AsyncIterator: AsyncIteratorProtocol {
            let consumer: KafkaConsumer
            public mutating func next() async -> ConsumedMessage? { await consumer.next() }
        }

        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(consumer: consumer) }
    }
}

private func rebalanceCallback(_ rk: OpaquePointer?, _ err: rd_kafka_resp_err_t, _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, _ opaque: UnsafeMutableRawPointer?) {
    guard let rk, let callbacks = RDKafkaClient.callbacks(of: rk), let onRebalance = callbacks.onRebalance else { return }
    onRebalance(rk, err, partitions)
}

extension ConsumedMessage {
    /// Copies a librdkafka message into Swift values: the value, the key and all headers as
    /// one exactly sized buffer. `topic` is the message's topic name, which the caller keeps
    /// from one record to the next instead of re-reading it every time.
    init(_ pointer: UnsafeMutablePointer<rd_kafka_message_t>, topic: String) {
        let message = pointer.pointee
        let value: [UInt8] =
            message.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: message.len)) } ?? []
        let key: [UInt8]? = message.key.map { Array(UnsafeRawBufferPointer(start: $0, count: message.key_len)) }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(pointer, &timestampType)
        var headerList: OpaquePointer? = nil
        let headers: ConsumedHeaders
        if rd_kafka_message_headers(pointer, &headerList) == RD_KAFKA_RESP_ERR_NO_ERROR, let headerList {
            headers = ConsumedHeaders(copying: headerList)
        } else {
            headers = ConsumedHeaders(buffer: [])
        }
        self.init(
            topic: topic, partition: message.partition, offset: message.offset, key: key, value: value,
            headers: headers, timestampMs: timestamp)
    }
}

extension ConsumedHeaders {
    /// Copies every header of a librdkafka header list, in order, into one buffer sized
    /// exactly in a first pass.
    init(copying list: OpaquePointer) {
        func forEachHeader(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) {
            var index = 0
            var name: UnsafePointer<CChar>? = nil
            var value: UnsafeRawPointer? = nil
            var size = 0
            while rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let key = UnsafeRawBufferPointer(start: name, count: name.map { strlen($0) } ?? 0)
                body(key, UnsafeRawBufferPointer(start: value, count: value == nil ? 0 : size))
                index += 1
            }
        }
        var byteCount = 0
        forEachHeader { key, value in byteCount += Self.entryByteCount(key: key, value: value) }
        let buffer = [UInt8](unsafeUninitializedCapacity: byteCount) { output, initialized in
            var position = 0
            forEachHeader { key, value in
                let rest = UnsafeMutableRawBufferPointer(start: output.baseAddress! + position, count: output.count - position)
                position += Self.write(key: key, value: value, to: rest)
            }
            initialized = position
        }
        self.init(buffer: buffer)
    }
}
