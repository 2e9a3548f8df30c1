import MeshKafka
import MeshWire

/// Seals envelopes and produces them with CloudEvents headers, keyed by correlation id so
/// everything about one objective stays in one partition, in order.
public final class MeshPublisher: Sendable {
    public let producer: KafkaProducer
    public let sealer: EnvelopeSealer

    public init(producer: KafkaProducer, sealer: EnvelopeSealer) {
        self.producer = producer
        self.sealer = sealer
    }

    /// The Kafka record for `envelope`. `key` defaults to the correlation id.
    public func record(_ envelope: Envelope, topic: String, key: String? = nil) throws -> OutgoingMessage {
        OutgoingMessage(
            topic: topic, key: Array((key ?? envelope.correlationID).utf8), value: try sealer.seal(envelope),
            headers: CloudEventHeaders.headers(for: envelope))
    }

    /// Seals, produces and waits for the broker's acknowledgement.
    @discardableResult
    public func publish(_ envelope: Envelope, to topic: String, key: String? = nil) async throws -> DeliveryReport {
        try await producer.send(record(envelope, topic: topic, key: key))
    }

    /// Seals and queues; `onDelivery` runs when the broker acknowledged (or delivery failed).
    public func enqueue(
        _ envelope: Envelope, to topic: String, key: String? = nil,
        onDelivery: @escaping KafkaProducer.DeliveryCallback
    ) throws {
        try producer.enqueue(record(envelope, topic: topic, key: key), onDelivery: onDelivery)
    }
}
