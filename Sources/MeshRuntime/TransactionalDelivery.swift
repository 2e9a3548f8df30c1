import Foundation
import Logging
import MeshKafka
import MeshTracing
import MeshTransport

/// Exactly-once (`--exactly-once`): a handled input's outputs, its dead letter or its
/// offset join the open Kafka transaction, and commit together or not at all
/// (``TransactionCoordinator``). An input counts as seen once its transaction committed.
final class TransactionalDelivery: Delivery, @unchecked Sendable {
    let transactions: TransactionCoordinator
    private let sender: OutputSender

    init(transactions: TransactionCoordinator, sender: OutputSender) {
        self.transactions = transactions
        self.sender = sender
    }

    var deadLetterSink: any DeadLetterSending { transactions }
    /// The transaction is being finished at shutdown; the card then ages out after three intervals.
    var sendsLastCard: Bool { false }

    func skip(_ inbound: InboundEnvelope) async {
        _ = await transactions.add([], completing: inbound.message, id: nil)
    }

    /// Heartbeats and ticks ride in the open transaction (one producer per process); readers
    /// see them at the next commit.
    func publishUnprompted(_ outputs: [OutboundEnvelope]) async throws {
        guard !outputs.isEmpty else { return }
        let outcome = await transactions.add(try sender.records(outputs), completing: nil, id: nil)
        if outcome != .added { throw TransactionNotJoined(outcome: outcome) }
    }

    func beginStopping() { transactions.beginStopping() }
    func drain() async {}
    func abandonPending() {}
    func finish() { transactions.finish() }

    func deliver(_ handled: HandledInput) async throws -> Bool {
        let (inbound, outputs, progress, span) = (handled.inbound, handled.outputs, handled.progress, handled.span)
        let id = inbound.envelope.id
        progress.beginApplying(inbound)
        let completed = ProcessedInput(partition: inbound.message.partition, id: id)
        var outcome: TransactionCoordinator.Outcome
        let state = outputs.filter { $0.kind == .state }
        if state.isEmpty {
            outcome = await transactions.add(
                try sender.records(outputs), completing: inbound.message, id: completed,
                delivered: sender.sendSpans(outputs, causedBy: span))
        } else {
            // Events acknowledged first, then the state with the input's offset:
            // see `TransactionCoordinator.add(_:completing:id:acknowledged:)`.
            let events = outputs.filter { $0.kind == .event }
            outcome = await transactions.add(
                try sender.records(events), completing: nil, id: nil, acknowledged: true,
                delivered: sender.sendSpans(events, causedBy: span))
            if outcome == .added {
                outcome = await transactions.add(
                    try sender.records(state), completing: inbound.message, id: completed,
                    delivered: sender.sendSpans(state, causedBy: span))
            }
        }
        if outcome == .added {
            sender.metrics.increment(.processed, topic: inbound.message.topic)
            span?.end()
        } else {
            progress.abandonApplying(id)
            if outcome == .failed, let span { MessagingSpans.failed(span, "transaction failed") }
        }
        handled.log.debug("handled in the open transaction", metadata: ["outputs": "\(outputs.count)", "outcome": "\(outcome)"])
        return false
    }
}
