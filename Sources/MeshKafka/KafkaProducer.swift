import CRdKafka
import Foundation
import Logging

/// Produces records to Kafka with idempotence on, reporting each record's delivery.
///
/// `send` awaits the broker's acknowledgement; `enqueue` hands the record to librdkafka's
/// batching queue and calls back on delivery, for callers that pipeline many records. A
/// dedicated thread polls for delivery reports continuously, so acknowledgements are
/// delivered as soon as they arrive rather than in fixed poll steps.
public final class KafkaProducer: @unchecked Sendable {
    /// Settings that make delivery safe by default; any of them can be overridden.
    public static let defaultProperties: [String: String] = [
        "enable.idempotence": "true",  // acks=all, ordered, no duplicates from retries
        // Every hop of an objective waits up to this long before its record is sent (a one-task
        // objective crosses about six). 1 ms halved the latency at light load but, with smaller
        // requests, cost CPU that a loaded 2-core machine lacks at 1,000 objectives/s, where p99
        // got worse (README, "Latency and idle CPU"); librdkafka's default stays.
        "linger.ms": "5",
        "message.timeout.ms": "60000",
        // Room for the largest sealed envelope the codec accepts (1 MiB + 64 KiB) plus its
        // headers; librdkafka's default (1,000,000) refused envelopes the codec allows. The
        // topic's `max.message.bytes` on the broker still applies (`Topics/mesh.yaml`).
        "message.max.bytes": "1200000",
        // The catalog's partitioner (Topics/mesh.yaml `partitioner:`), set explicitly so the
        // placement never depends on a library default; receivers dead-letter records a
        // producer with another partitioner placed elsewhere (`misrouted`).
        "partitioner": "consistent_random",
    ]

    public typealias DeliveryCallback = @Sendable (Result<DeliveryReport, KafkaError>) -> Void
    /// A delivery report of the record at an index of a batch.
    public typealias IndexedDeliveryCallback = @Sendable (Int, Result<DeliveryReport, KafkaError>) -> Void

    private let client: RDKafkaClient
    private let logger: Logger
    private let lock = NSLock()
    private var topicHandles: [String: OpaquePointer] = [:]
    private var isClosed = false
    private let pollLoopFinished = DispatchSemaphore(value: 0)
    private let stopPolling = ManagedAtomicFlag()

    public init(configuration: KafkaConfiguration, logger: Logger) throws {
        self.logger = logger
        let properties = configuration.withDefaults(Self.defaultProperties).properties
        client = try RDKafkaClient(
            kind: .producer, properties: properties, callbacks: RDKafkaCallbacks(logger: logger)
        ) { conf in
            rd_kafka_conf_set_dr_msg_cb(conf, deliveryReportCallback)
        }
        let client = self.client
        let stop = stopPolling
        let finished = pollLoopFinished
        let thread = Thread {
            while !stop.isSet { rd_kafka_poll(client.handle, 50) }
            finished.signal()
        }
        thread.name = "agentmesh.kafka.producer-poll"
        thread.start()
    }

    deinit {
        close()
    }

    /// Produces one record and waits until the broker acknowledged it (or it failed).
    @discardableResult
    public func send(_ message: OutgoingMessage) async throws -> DeliveryReport {
        try await withCheckedThrowingContinuation { continuation in
            do {
                try enqueue(message) { continuation.resume(with: $0) }
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    /// Hands one record to librdkafka's queue and returns at once; `onDelivery` runs on the
    /// producer's poll thread when the broker acknowledged it or delivery failed for good.
    /// Blocks briefly only while librdkafka's local queue is full (backpressure).
    public func enqueue(_ message: OutgoingMessage, onDelivery: @escaping DeliveryCallback) throws {
        let topic = try topicHandle(message.topic)
        let box = Unmanaged.passRetained(DeliveryBox(topic: message.topic, callback: onDelivery)).toOpaque()
        let headers = message.headers.makeHeaderList()
        let partition = message.partition ?? RD_KAFKA_PARTITION_UA
        while true {
            let result: rd_kafka_resp_err_t = message.value.withUnsafeBytes { value in
                withOptionalBytes(message.key) { key in
                    agentmesh_produce(
                        client.handle, topic, partition, key.baseAddress, key.count,
                        value.baseAddress, value.count, headers, 0, box)
                }
            }
            if result == RD_KAFKA_RESP_ERR_NO_ERROR { return }
            if result == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                // The poll thread frees queue space as deliveries complete.
                usleep(500)
                continue
            }
            // On failure librdkafka did not take the headers or the opaque.
            if let headers { rd_kafka_headers_destroy(headers) }
            Unmanaged<DeliveryBox>.fromOpaque(box).release()
            throw KafkaError(result, context: "produce to \(message.topic)")
        }
    }

    /// Waits until every queued record is delivered or `timeout` passes.
    public func flush(timeout: Duration = .seconds(30)) throws {
        let result = rd_kafka_flush(client.handle, Int32(timeout.milliseconds))
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(result, context: "flush: \(rd_kafka_outq_len(client.handle)) records still queued")
        }
    }

    /// Records queued or in flight to the broker.
    public var queuedCount: Int { Int(rd_kafka_outq_len(client.handle)) }

    /// Flushes what is queued (up to `timeout`), then stops the poll thread. Idempotent.
    public func close(timeout: Duration = .seconds(30)) {
        lock.lock()
        if isClosed {
            lock.unlock()
            return
        }
        isClosed = true
        let handles = topicHandles
        topicHandles = [:]
        lock.unlock()
        do { try flush(timeout: timeout) } catch { logger.error("producer closed with undelivered records: \(error)") }
        stopPolling.set()
        pollLoopFinished.wait()
        for handle in handles.values { rd_kafka_topic_destroy(handle) }
    }

    private func topicHandle(_ name: String) throws -> OpaquePointer {
        lock.lock()
        defer { lock.unlock() }
        if isClosed { throw KafkaError.closed("producer") }
        if let handle = topicHandles[name] { return handle }
        guard let handle = rd_kafka_topic_new(client.handle, name, nil) else {
            throw KafkaError(rd_kafka_last_error(), context: "topic \(name)")
        }
        topicHandles[name] = handle
        return handle
    }
}

/// Carries the caller's delivery callback through librdkafka as the message opaque, with
/// the topic name the report needs (shared with the message, not read back from C per record).
private final class DeliveryBox {
    let topic: String
    let callback: KafkaProducer.DeliveryCallback
    init(topic: String, callback: @escaping KafkaProducer.DeliveryCallback) {
        self.topic = topic
        self.callback = callback
    }
}

private func deliveryReportCallback(_ rk: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?, _ opaque: UnsafeMutableRawPointer?) {
    guard let message, let boxPointer = message.pointee._private else { return }
    let box = Unmanaged<DeliveryBox>.fromOpaque(boxPointer).takeRetainedValue()
    let topic = box.topic
    if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
        box.callback(.success(DeliveryReport(topic: topic, partition: message.pointee.partition, offset: message.pointee.offset)))
    } else {
        box.callback(.failure(KafkaError(message.pointee.err, context: "delivery to \(topic)")))
    }
}

func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    guard let bytes else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
    return bytes.withUnsafeBytes(body)
}

/// A flag set once from any thread.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }
}

// MARK: - Transactions (exactly-once)

extension KafkaProducer {
    /// Registers this producer's `transactional.id` with the broker. Any older producer with
    /// the same id is fenced and its open transaction aborted, so a restarted instance
    /// replaces its zombie. Call once, before the first ``beginTransaction()``.
    public func initTransactions(timeout: Duration = .seconds(30)) throws {
        try throwIfFailed(rd_kafka_init_transactions(client.handle, Int32(timeout.milliseconds)), "init transactions")
    }

    /// Opens a transaction: every record produced from now on belongs to it. Local only.
    public func beginTransaction() throws {
        try throwIfFailed(rd_kafka_begin_transaction(client.handle), "begin transaction")
    }

    /// Adds consumer offsets (the next offset to read, per partition) to the open
    /// transaction: they are committed for `group` if and only if the transaction commits.
    /// `group` must be fresh (KIP-447): a consumer that lost its partitions in a rebalance
    /// is fenced instead of committing offsets it no longer owns.
    public func sendOffsetsToTransaction(
        _ offsets: [TopicPartition: Int64], group: ConsumerGroupMetadata, timeout: Duration = .seconds(30)
    ) throws {
        guard !offsets.isEmpty else { return }
        let sorted = offsets.sorted { $0.key < $1.key }
        let list = makePartitionList(sorted.map(\.key), offsets: sorted.map(\.value))
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try throwIfFailed(
            rd_kafka_send_offsets_to_transaction(client.handle, list, group.pointer, Int32(timeout.milliseconds)),
            "send offsets to transaction")
    }

    /// Flushes the open transaction's records and commits them with its offsets.
    /// On an error with ``KafkaError/requiresTransactionAbort`` call ``abortTransaction(timeout:)``.
    public func commitTransaction(timeout: Duration = .seconds(30)) throws {
        try throwIfFailed(rd_kafka_commit_transaction(client.handle, Int32(timeout.milliseconds)), "commit transaction")
    }

    /// Drops the open transaction: read_committed readers never see its records and its
    /// offsets are not committed.
    public func abortTransaction(timeout: Duration = .seconds(30)) throws {
        try throwIfFailed(rd_kafka_abort_transaction(client.handle, Int32(timeout.milliseconds)), "abort transaction")
    }

    private func throwIfFailed(_ error: OpaquePointer?, _ context: String) throws {
        if let error { throw KafkaError(consuming: error, context: context) }
    }
}

extension Array where Element == KafkaHeader {
    /// These headers as a librdkafka header list, or `nil` when there are none; the record
    /// produced with it takes ownership.
    func makeHeaderList() -> OpaquePointer? {
        guard !isEmpty else { return nil }
        let list = rd_kafka_headers_new(count)
        for header in self {
            // Explicit lengths: passing the key as a C string would copy it on every record.
            header.withKeyBytes { key in
                header.withValueBytes { value in
                    _ = rd_kafka_header_add(
                        list, key.baseAddress?.assumingMemoryBound(to: CChar.self), key.count, value.baseAddress, value.count)
                }
            }
        }
        return list
    }
}
