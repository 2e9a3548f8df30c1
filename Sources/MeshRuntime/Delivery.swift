import Foundation
import Logging
import MeshKafka
import MeshTracing
import MeshTransport

/// How a handled input's outputs reach Kafka and when the input's offset becomes
/// committable: ``AtLeastOnceDelivery`` or ``TransactionalDelivery`` (`--exactly-once`).
/// ``RoleWorker`` reads, checks and handles inputs the same way in both.
protocol Delivery: AnyObject, Sendable {
    /// Where dead letters go (straight to the topic, or into the open transaction).
    var deadLetterSink: any DeadLetterSending { get }

    /// Delivers the outputs of a handled input. Returns true when the input's in-flight
    /// permit passed to the delivery, which releases it once the outputs were acknowledged.
    func deliver(_ handled: HandledInput) async throws -> Bool

    /// A duplicate input was dropped: its offset may move on.
    func skip(_ inbound: InboundEnvelope) async

    /// Outputs not caused by an input (ticks, agent cards).
    func publishUnprompted(_ outputs: [OutboundEnvelope]) async throws

    func beginStopping()

    /// Waits for outputs still awaiting acknowledgement (called within the drain timeout).
    func drain() async

    /// The drain timeout passed: gives up what is still pending.
    func abandonPending()

    /// After the drain: ends the delivery's own work (the last transaction).
    func finish()

    /// Whether the instance's last card can be sent at shutdown.
    var sendsLastCard: Bool { get }
}

/// What an input was handled into, with what its delivery needs.
struct HandledInput {
    var inbound: InboundEnvelope
    var outputs: [OutboundEnvelope]
    var progress: PartitionProgress
    var ownsPermit: Bool
    var log: MessageLog
    var span: MeshSpan?
}

/// Seals and enqueues outputs, counting what the broker acknowledged and ending their send
/// spans with the delivery reports.
struct OutputSender: Sendable {
    let publisher: MeshPublisher
    let metrics: RoleMetrics
    /// `nil` while tracing is off.
    let spans: MessagingSpans?

    /// Sealed records of `outputs`.
    func records(_ outputs: [OutboundEnvelope]) throws -> [OutgoingMessage] {
        try outputs.map { try publisher.record($0.envelope, topic: $0.topic, key: $0.key) }
    }

    /// Enqueues `outputs` in order; the group completes when the broker acknowledged them.
    /// With `process` (tracing on), each output gets a send span that ends with its delivery.
    func enqueueAll(_ outputs: [OutboundEnvelope], causedBy process: MeshSpan? = nil) -> DeliveryGroup {
        let group = DeliveryGroup(expected: outputs.count)
        let metrics = self.metrics
        for (index, output) in outputs.enumerated() {
            // The report needs the topic only, not a copy of the whole envelope.
            let topic = output.topic
            let send = process.flatMap { spans?.startSend(output.envelope, topic: topic, causedBy: $0) }
            do {
                try publisher.enqueue(output.envelope, to: topic, key: output.key) { result in
                    if case .success = result { metrics.increment(.published, topic: topic) }
                    if let send { Self.settle(send, result) }
                    group.completed(result.map { _ in () })
                }
            } catch {
                group.abandon(remaining: outputs.count - index, error: error)
                break
            }
        }
        return group
    }

    /// Starts the send spans of `outputs` and returns what ends each with its record's
    /// delivery report; `nil` while tracing is off. Records never enqueued (a stale input,
    /// an aborted transaction) leave their spans unended: the input is handled again.
    func sendSpans(_ outputs: [OutboundEnvelope], causedBy process: MeshSpan?) -> KafkaProducer.IndexedDeliveryCallback? {
        guard let process, let spans else { return nil }
        let sends = outputs.map { spans.startSend($0.envelope, topic: $0.topic, causedBy: process) }
        return { index, result in Self.settle(sends[index], result) }
    }

    /// Ends a send span with its record's delivery report. A retriable failure is published
    /// again under a span of the same id, so this one is dropped.
    private static func settle(_ send: MeshSpan, _ result: Result<DeliveryReport, KafkaError>) {
        switch result {
        case .success(let report): MessagingSpans.acknowledged(send, partition: report.partition, offset: report.offset)
        case .failure(let error): if !error.isRetriable { MessagingSpans.failed(send, "\(error)") }
        }
    }
}

/// Sends an input to the dead-letter topic, counts it, notes it for the card and marks it done.
struct DeadLettering: Sendable {
    let sink: any DeadLetterSending
    let consumer: KafkaConsumer
    let metrics: RoleMetrics
    let lastError: LastError
    let logger: Logger

    /// `false` when the dead letter could not be sent (shutdown), so the input stays
    /// unacknowledged and is read again.
    @discardableResult
    func send(_ inbound: InboundEnvelope, reason: String, detail: String, attempts: Int, span: MeshSpan? = nil) async -> Bool {
        do {
            try await send(inbound.message, reason: reason, detail: detail, attempts: attempts)
            consumer.markDone(inbound.message)
            if let span { MessagingSpans.failed(span, "dead-lettered: \(reason): \(detail)") }
            return true
        } catch {
            logger.warning("dead letter not sent before shutdown; the message will be read again: \(error)")
            return false
        }
    }

    /// Sends `message` to the dead-letter topic, counts it and notes it for the card; marking
    /// it done is the caller's (a batch role marks its whole batch once it is kept).
    func send(_ message: ConsumedMessage, reason: String, detail: String, attempts: Int) async throws {
        try await sink.send(message, reason: reason, detail: detail, attempts: attempts)
        metrics.increment(.deadLettered, topic: message.topic)
        metrics.deadLettered(topic: message.topic, reason: reason)
        lastError.deadLettered(message, reason: reason, detail: detail)
    }
}
