import Foundation
import MeshKafka
import MeshTracing
import MeshTransport

/// At-least-once: outputs go to the producer as soon as their input was handled, and the
/// input is marked done (its offset committable), seen and its permit free only once the
/// broker acknowledged all of them. A crash before that repeats the outputs, with the same
/// ids, which consumers drop as duplicates.
final class AtLeastOnceDelivery: Delivery, @unchecked Sendable {
    private let sender: OutputSender
    private let consumer: KafkaConsumer
    private let deadLettering: DeadLettering
    private let permits: AsyncSemaphore
    private let retry: RetryPolicy
    /// Inputs whose outputs await the broker's acknowledgement.
    private let pending = PendingWork()
    private let lock = NSLock()
    private var stopping = false

    init(sender: OutputSender, consumer: KafkaConsumer, deadLettering: DeadLettering, permits: AsyncSemaphore, retry: RetryPolicy) {
        self.sender = sender
        self.consumer = consumer
        self.deadLettering = deadLettering
        self.permits = permits
        self.retry = retry
    }

    var deadLetterSink: any DeadLetterSending { deadLettering.sink }
    var sendsLastCard: Bool { true }

    func skip(_ inbound: InboundEnvelope) async {
        consumer.markDone(inbound.message)
    }

    func publishUnprompted(_ outputs: [OutboundEnvelope]) async throws {
        guard !outputs.isEmpty else { return }
        try await sender.enqueueAll(outputs).wait()
    }

    func beginStopping() { lock.withLock { stopping = true } }
    func drain() async { await pending.waitAll() }
    func abandonPending() { pending.cancelAll() }
    func finish() {}

    /// Hands the event outputs to the producer at once (in input order; the lane goes on
    /// meanwhile), publishes the state records once their turn in the partition came
    /// (``StateRecordOrder``), and settles the input once all were acknowledged. The common
    /// case finishes on the producer's thread, without a task per message; failures go on in
    /// a task that may wait and publish again.
    func deliver(_ handled: HandledInput) async throws -> Bool {
        let (inbound, outputs, progress, log) = (handled.inbound, handled.outputs, handled.progress, handled.log)
        let id = inbound.envelope.id
        let ownsPermit = handled.ownsPermit
        progress.beginApplying(inbound)
        pending.begin()
        let finish: @Sendable (Settlement) -> Void = { [self] settlement in
            switch settlement {
            case .acknowledged:
                progress.finishApplying(id)
                sender.metrics.increment(.processed, topic: inbound.message.topic)
                consumer.markDone(inbound.message)
                log.debug("processed", metadata: ["outputs": "\(outputs.count)"])
            case .deadLettered:
                progress.finishApplying(id)
            case .abandoned:
                progress.abandonApplying(id)
            }
            if ownsPermit { permits.release() }
            pending.end()
        }
        let span = handled.span
        // The hop's span ends once its outputs are on their way (their send spans end with
        // the broker's acknowledgement).
        defer { span?.end() }
        let state = outputs.filter { $0.kind == .state }
        guard !state.isEmpty else {
            publish(outputs, for: inbound, log: log, span: span, then: finish)
            return true
        }
        let events = outputs.filter { $0.kind == .event }
        let eventsSettled = SettlementBox()
        let ticket = progress.takeTicket { [self] release in
            guard case .publish = release, consumer.isCurrent(inbound.message) else {
                // An earlier input's outputs were given up, or the partition was revoked: the
                // state stays unpublished and the input is applied again after a restore.
                return finish(eventsSettled.value == .deadLettered ? .deadLettered : .abandoned)
            }
            publish(state, for: inbound, log: log, span: span) { settlement in
                finish(eventsSettled.value == .deadLettered && settlement == .acknowledged ? .deadLettered : settlement)
            }
        }
        publish(events, for: inbound, log: log, span: span) { settlement in
            eventsSettled.value = settlement
            progress.settle(ticket, abandoned: settlement == .abandoned)
        }
        return true
    }

    /// Enqueues `outputs` in order and calls `done` once they were all acknowledged, or once
    /// a retriable failure was overcome, the input dead-lettered or the publishing given up.
    private func publish(
        _ outputs: [OutboundEnvelope], for inbound: InboundEnvelope, log: MessageLog, span: MeshSpan?,
        then done: @escaping @Sendable (Settlement) -> Void
    ) {
        guard !outputs.isEmpty else { return done(.acknowledged) }
        sender.enqueueAll(outputs, causedBy: span).whenComplete { [self] error in
            guard let error else { return done(.acknowledged) }
            pending.start { [self] in
                done(await retryDelivery(inbound, outputs: outputs, after: error, log: log, span: span))
            }
        }
    }

    /// `inbound`'s outputs were not all acknowledged (`error`, the first failure). Once
    /// handled, only the publishing is retried, with the same envelopes (same ids, so
    /// duplicates are dropped downstream), while the broker reports retriable errors: a
    /// stateful handler (the orchestrator) has recorded the input and would answer a second
    /// call with nothing. Outputs the broker refuses for good send the input to the
    /// dead-letter topic.
    private func retryDelivery(
        _ inbound: InboundEnvelope, outputs: [OutboundEnvelope], after error: Error, log: MessageLog, span: MeshSpan?
    ) async -> Settlement {
        var error = error
        var attempt = 1
        while true {
            guard let retriable = error as? KafkaError, retriable.isRetriable else {
                sender.metrics.increment(.failed, topic: inbound.message.topic)
                log.error("outputs refused by the broker: \(error)")
                let sent = await deadLettering.send(inbound, reason: "publish-failed", detail: "\(error)", attempts: attempt)
                return sent ? .deadLettered : .abandoned
            }
            guard !lock.withLock({ stopping }), !Task.isCancelled else {
                log.warning("outputs not acknowledged before shutdown; the input will be read again: \(retriable)")
                return .abandoned
            }
            sender.metrics.increment(.retried, topic: outputs.first?.topic ?? "")
            log.warning("outputs not acknowledged yet (attempt \(attempt)), publishing them again: \(retriable)")
            try? await Task.sleep(for: retry.delay(after: attempt))
            attempt += 1
            do {
                try await sender.enqueueAll(outputs, causedBy: span).wait()
                return .acknowledged
            } catch let next {
                error = next
            }
        }
    }
}

/// How the outputs of one input ended.
enum Settlement: Sendable, Equatable {
    /// Every output acknowledged.
    case acknowledged
    /// Refused by the broker for good: the input went to the dead-letter topic (done).
    case deadLettered
    /// Given up at shutdown or revoke: the input is read and applied again.
    case abandoned
}

/// The settlement of an input's event outputs, read when its state records get their turn
/// (set on one thread, read on another).
final class SettlementBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Settlement?

    var value: Settlement? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
