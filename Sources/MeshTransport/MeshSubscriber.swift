import Foundation
import Logging
import MeshKafka
import MeshWire

/// A verified envelope with the Kafka record it came in.
public struct InboundEnvelope: Sendable {
    public var opened: OpenedEnvelope
    public var message: ConsumedMessage

    public init(opened: OpenedEnvelope, message: ConsumedMessage) {
        self.opened = opened
        self.message = message
    }

    public var envelope: Envelope { opened.envelope }
}

/// Reads mesh topics and hands out only envelopes that verified. Everything else is
/// reported, dead-lettered with its reason, counted and marked done; it never reaches a
/// handler.
public final class MeshSubscriber: @unchecked Sendable {
    public let consumer: KafkaConsumer
    public let opener: EnvelopeOpener
    private let deadLetters: (any DeadLetterSending)?
    private let logger: Logger
    private let lock = NSLock()
    private var rejections: [EnvelopeRejection.Reason: Int] = [:]
    private let onRejection: (@Sendable (EnvelopeRejection, ConsumedMessage) -> Void)?

    /// - Parameters:
    ///   - deadLetters: where rejected messages go; `nil` only for read-only tools (a
    ///     rejected message is then just reported and skipped).
    ///   - onRejection: observes rejections (metrics, tests).
    public init(
        consumer: KafkaConsumer, opener: EnvelopeOpener, deadLetters: (any DeadLetterSending)?, logger: Logger,
        onRejection: (@Sendable (EnvelopeRejection, ConsumedMessage) -> Void)? = nil
    ) {
        self.consumer = consumer
        self.opener = opener
        self.deadLetters = deadLetters
        self.logger = logger
        self.onRejection = onRejection
    }

    /// The next verified envelope, or `nil` once the consumer is closed.
    public func next() async -> InboundEnvelope? {
        var messages = consumer.messages.makeAsyncIterator()  // stateless: the consumer holds the position
        while let message = await messages.next() {
            switch opener.open(message.value) {
            case .success(let opened):
                return InboundEnvelope(opened: opened, message: message)
            case .failure(let rejection):
                await reject(message, rejection)
            }
        }
        return nil
    }

    /// Verified envelopes as an `AsyncSequence`.
    public var envelopes: AsyncStream<InboundEnvelope> {
        AsyncStream { [self] in await self.next() }
    }

    /// Marks an envelope processed: its offset may be committed once earlier ones are too.
    public func markDone(_ inbound: InboundEnvelope) {
        consumer.markDone(inbound.message)
    }

    /// Rejected messages so far, by reason.
    public var rejectionCounts: [EnvelopeRejection.Reason: Int] {
        lock.withLock { rejections }
    }

    private func reject(_ message: ConsumedMessage, _ rejection: EnvelopeRejection) async {
        lock.withLock { rejections[rejection.reason, default: 0] += 1 }
        var metadata: Logger.Metadata = [
            "reason": "\(rejection.reason.rawValue)", "detail": "\(rejection.detail)", "topic": "\(message.topic)",
            "partition": "\(message.partition)", "offset": "\(message.offset)",
        ]
        if let id = message.headers.string("ce_id") { metadata["claimed_envelope_id"] = "\(id)" }
        if rejection.isSecurityEvent {
            metadata["security_event"] = "true"
            logger.error("rejected a message that failed verification", metadata: metadata)
        } else {
            logger.warning("rejected a malformed message", metadata: metadata)
        }
        onRejection?(rejection, message)
        do {
            try await deadLetters?.send(message, reason: rejection.reason.rawValue, detail: rejection.detail, attempts: 1)
            consumer.markDone(message)
        } catch is CancellationError {
            // Shutting down while the broker was away: left unmarked, so it is read again.
            logger.warning("dead letter not sent before shutdown; the message will be read again")
        } catch {
            // Left unmarked too (never lost): its partition's committed offset stays behind it
            // until a restart reads it again.
            logger.error("dead letter refused; the message stays unacknowledged and will be read again after a restart: \(error)",
                         metadata: metadata)
        }
    }
}
