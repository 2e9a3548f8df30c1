import Foundation
import Logging
import MeshCatalog
import MeshKafka
import MeshRuntime
import MeshSigning
import MeshTestSupport
import MeshTransport
import MeshWire
import XCTest

/// Answers every result with a verdict (derived id) and counts calls per input.
final class CountingReviewer: RoleHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var calls: [String: Int] = [:]

    func handle(_ inbound: InboundEnvelope) async throws -> [OutboundEnvelope] {
        lock.withLock { calls[inbound.envelope.id, default: 0] += 1 }
        guard case .taskResult(let result) = inbound.envelope.payload else { return [] }
        return [verdict(answering: inbound, result)]
    }

    func calls(for id: String) -> Int { lock.withLock { calls[id, default: 0] } }
}

/// A role worker in exactly-once mode on the embedded broker: outputs and dead letters go
/// through transactions, and an aborted transaction makes the worker rewind and handle its
/// inputs again. (That the broker hides aborted records and stores transactional offsets is
/// shown against a real Kafka only: see TransactionTests in MeshKafkaTests.)
final class ExactlyOnceWorkerTests: XCTestCase {
    func testOutputsAndDeadLettersGoThroughTransactionsAndAnAbortedTransactionIsHandledAgain() async throws {
        let fixture = try RuntimeFixture(
            topics: ["mesh.results", "mesh.verdicts", "mesh.deadletter", "mesh.agents"], partitions: 2)
        let (cluster, kafka, logger) = (fixture.cluster, fixture.kafka, fixture.logger)
        let handler = CountingReviewer()
        let worker = try fixture.reviewer(handler) { $0.exactlyOnce = true }
        let running = Task { await worker.run() }
        try await eventually("the worker joins its group") { worker.isReady }

        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        defer { producer.close() }
        let coding = MeshPublisher(producer: producer, sealer: try fixture.sealer(as: "coding"))
        func publishResults(_ range: Range<Int>) async throws -> [String] {
            var ids: [String] = []
            for index in range {
                let result = Envelope(source: "/mesh/coding/c-1", correlationID: "obj-\(index)", payload: .taskResult(TaskResult(
                    taskID: "t-\(index)", planID: "p", state: .completed, summary: "done", agentID: "c-1")))
                ids.append(result.id)
                try await coding.publish(result, to: "mesh.results")
            }
            return ids
        }
        let verdicts = try KafkaConsumer(
            configuration: kafka,
            subscription: .partitions((0..<2).map { TopicPartition(topic: "mesh.verdicts", partition: $0) }), logger: logger)
        defer { verdicts.close() }
        let opener = try fixture.opener()
        let seen = Gathered<Envelope>()
        let reading = Task {
            for await message in verdicts.messages {
                if case .success(let opened) = opener.open(message.value) { await seen.append(opened.envelope) }
            }
        }
        defer { reading.cancel() }

        // 1. Outputs are committed in transactions.
        let first = try await publishResults(0..<10)
        try await eventually("ten verdicts are committed") { await seen.count >= 10 }
        let judged = Set(await seen.values.compactMap { $0.verdict?.resultEnvelopeID })
        XCTAssertEqual(judged, Set(first))

        // 2. A dead letter (a result the catalog does not allow from reviewer) joins a transaction.
        let forged = Envelope(source: "/mesh/reviewer/x", correlationID: "forged", payload: .taskResult(TaskResult(
            taskID: "t-x", planID: "p", state: .completed, summary: "forged", agentID: "x")))
        try await MeshPublisher(producer: producer, sealer: try fixture.sealer(as: "reviewer"))
            .publish(forged, to: "mesh.results")
        try await eventually("the forged result is dead-lettered") { worker.stats.deadLettered == 1 }

        // 3. The broker refuses to add a partition to the next transaction: it must abort,
        //    and the worker rewinds and handles those inputs again.
        cluster.pushRequestErrors(apiKey: 24, errorCodes: [29])  // AddPartitionsToTxn: TOPIC_AUTHORIZATION_FAILED
        let second = try await publishResults(10..<15)
        try await eventually("the five later verdicts are committed", timeout: .seconds(60)) {
            Set(await seen.values.compactMap { $0.verdict?.resultEnvelopeID }).isSuperset(of: second)
        }
        XCTAssertGreaterThanOrEqual(worker.metrics.total(.rewound), 1, "the aborted transaction rewound its partitions")
        XCTAssertTrue(second.contains { handler.calls(for: $0) >= 2 }, "an input of the aborted transaction was handled again")
        XCTAssertTrue(first.allSatisfy { handler.calls(for: $0) == 1 }, "committed inputs are not handled again")
        try await Task.sleep(for: .seconds(1))
        let ids = await seen.values.map(\.id)
        XCTAssertEqual(ids.count, Set(ids).count, "no verdict record twice: the aborted one was never written")
        XCTAssertEqual(ids.count, 15)

        worker.stop()
        await running.value
        XCTAssertNil(worker.failure)
    }
}

extension Envelope {
    fileprivate var verdict: Verdict? { if case .verdict(let v) = payload { return v } else { return nil } }
}
