import Logging
import MeshKafka
import MeshLogging
import MeshSigning

/// Header names on dead-lettered records. The original value and headers are kept, and the
/// original key in `dlq_source_key`, so a fixed message can be redriven byte for byte.
public enum DeadLetterHeader {
    public static let reason = "dlq_reason"
    public static let detail = "dlq_detail"
    public static let sourceTopic = "dlq_source_topic"
    public static let sourcePartition = "dlq_source_partition"
    public static let sourceOffset = "dlq_source_offset"
    public static let attempts = "dlq_attempts"
    public static let role = "dlq_role"
    public static let time = "dlq_time"
    /// The original record key, raw bytes (absent when the original had none). The dead
    /// letter itself carries no key, as the catalog declares (`key: none`): its partition says
    /// nothing about the original's, and a key there would suggest it does.
    public static let sourceKey = "dlq_source_key"
    /// Set when the original value was too large to produce again: its size in bytes. The
    /// value is then empty; the original stays at its source coordinates (and in the audit store).
    public static let droppedValueBytes = "dlq_dropped_value_bytes"
    /// SHA-256 (hex) of a dropped value, to match the dead letter to the original.
    public static let droppedValueSHA256 = "dlq_dropped_value_sha256"
}

/// Where messages that cannot be processed go. ``DeadLetterPublisher`` produces them at once;
/// in exactly-once mode the runtime's sink puts the dead letter into the same transaction as
/// the input's offset (and marks the input done itself, so a later ``KafkaConsumer/markDone(_:)``
/// is a no-op).
public protocol DeadLetterSending: Sendable {
    /// Returns once the dead letter is safely stored (or part of the open transaction).
    func send(_ message: ConsumedMessage, reason: String, detail: String, attempts: Int) async throws
}

/// Sends messages that cannot be processed to the dead-letter topic, with the reason and
/// their source coordinates in headers.
public final class DeadLetterPublisher: DeadLetterSending {
    /// Largest value a dead letter carries: librdkafka's default `message.max.bytes`
    /// (1,000,000) less room for the key and headers.
    public static let defaultMaxValueBytes = 1_000_000 - 32 * 1024

    public let producer: KafkaProducer
    public let topic: String
    public let role: String
    /// A larger value (an oversize message is exactly what gets dead-lettered) is dropped from
    /// the dead letter, its size and digest kept in headers: producing it would fail, the dead
    /// letter would never be stored and the source message would hold back its partition.
    public let maxValueBytes: Int
    private let logger: Logger

    public init(producer: KafkaProducer, topic: String, role: String, logger: Logger,
                maxValueBytes: Int = DeadLetterPublisher.defaultMaxValueBytes) {
        self.producer = producer
        self.topic = topic
        self.role = role
        self.logger = logger
        self.maxValueBytes = maxValueBytes
    }

    public func record(for message: ConsumedMessage, reason: String, detail: String, attempts: Int) -> OutgoingMessage {
        var headers = message.headers.all.filter { !$0.key.hasPrefix("dlq_") }
        headers += [
            KafkaHeader(key: DeadLetterHeader.reason, string: reason),
            KafkaHeader(key: DeadLetterHeader.detail, string: String(detail.prefix(2000))),
            KafkaHeader(key: DeadLetterHeader.sourceTopic, string: message.topic),
            KafkaHeader(key: DeadLetterHeader.sourcePartition, string: String(message.partition)),
            KafkaHeader(key: DeadLetterHeader.sourceOffset, string: String(message.offset)),
            KafkaHeader(key: DeadLetterHeader.attempts, string: String(attempts)),
            KafkaHeader(key: DeadLetterHeader.role, string: role),
            KafkaHeader(key: DeadLetterHeader.time, string: RFC3339.now()),
        ]
        if let key = message.key { headers.append(KafkaHeader(key: DeadLetterHeader.sourceKey, value: key)) }
        var value = message.value
        if value.count > maxValueBytes {
            headers += [
                KafkaHeader(key: DeadLetterHeader.droppedValueBytes, string: String(value.count)),
                KafkaHeader(key: DeadLetterHeader.droppedValueSHA256, string: SHA256Digest.hex(value)),
            ]
            value = []
        }
        return OutgoingMessage(topic: topic, key: nil, value: value, headers: headers)
    }

    /// Produces the dead letter and waits for the broker's acknowledgement, retrying with
    /// backoff while the broker is unavailable: the source message may only be marked done
    /// once its dead letter is safely stored.
    public func send(_ message: ConsumedMessage, reason: String, detail: String, attempts: Int = 1) async throws {
        let record = record(for: message, reason: reason, detail: detail, attempts: attempts)
        var backoff = Duration.milliseconds(100)
        while true {
            do {
                try await producer.send(record)
                return
            } catch let error as KafkaError where error.isRetriable {
                logger.warning("dead letter not stored yet, retrying in \(backoff): \(error)")
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }
}
