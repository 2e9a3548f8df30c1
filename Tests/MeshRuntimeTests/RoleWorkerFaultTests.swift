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

/// A handler that, like the orchestrator, records what it handled and answers a second
/// call for the same input with nothing.
final class AnswerOnce: RoleHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var seen: Set<String> = []
    private(set) var calls = 0

    func handle(_ inbound: InboundEnvelope) async throws -> [OutboundEnvelope] {
        let first: Bool = lock.withLock {
            calls += 1
            return seen.insert(inbound.envelope.id).inserted
        }
        guard first, case .taskResult(let result) = inbound.envelope.payload else { return [] }
        try await Task.sleep(for: .seconds(1))  // the test takes the broker down meanwhile
        return [verdict(answering: inbound, result)]
    }
}

final class RoleWorkerFaultTests: XCTestCase {
    func testOutputsOfAHandledInputArePublishedAgainNotLostWhenTheBrokerWasAway() async throws {
        let fixture = try RuntimeFixture(
            topics: ["mesh.results", "mesh.verdicts", "mesh.deadletter", "mesh.agents"], partitions: 1)
        let (cluster, kafka, logger, keys) = (fixture.cluster, fixture.kafka, fixture.logger, fixture.keys)
        let handler = AnswerOnce()
        // Deliveries fail fast while the broker is away.
        let worker = try fixture.reviewer(handler, kafka: ["message.timeout.ms": "1500"])
        let running = Task { await worker.run() }
        try await eventually("the worker joins its group") { worker.isReady }

        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        defer { producer.close() }
        let result = Envelope(source: "/mesh/coding/c-1", correlationID: "obj-1", payload: .taskResult(TaskResult(
            taskID: "t-1", planID: "p-1", state: .completed, summary: "done", agentID: "c-1")))
        let publisher = MeshPublisher(producer: producer, sealer: EnvelopeSealer(
            signer: try KeyRingStore.loadSigner(principal: "coding", from: keys)))
        try await publisher.publish(result, to: "mesh.results")
        // The broker goes away while the handler works: the verdict's delivery times out.
        try await eventually("the handler runs") { handler.calls >= 1 }
        try cluster.setBrokerDown(1)
        try await Task.sleep(for: .seconds(3))
        try cluster.setBrokerUp(1)

        let verdicts = try KafkaConsumer(
            configuration: kafka, subscription: .partitions([TopicPartition(topic: "mesh.verdicts", partition: 0)]), logger: logger)
        defer { verdicts.close() }
        let seen = Gathered<ConsumedMessage>()
        let reading = Task { for await message in verdicts.messages { await seen.append(message) } }
        try await eventually("the verdict is published after the broker returned", timeout: .seconds(60)) {
            await seen.count >= 1
        }
        XCTAssertEqual(handler.calls, 1, "the input was handled once; only its output was published again")
        XCTAssertGreaterThanOrEqual(worker.stats.retried, 1, "the first delivery failed and was retried")
        XCTAssertEqual(worker.stats.processed, 1)
        XCTAssertEqual(worker.stats.deadLettered, 0)
        reading.cancel()
        worker.stop()
        await running.value
    }
}

/// Fails every message of partition 0 twice, answers everything else at once.
final class FlakyOnPartitionZero: RoleHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var failures: [String: Int] = [:]
    private(set) var completed: [(partition: Int32, id: String)] = []

    func handle(_ inbound: InboundEnvelope) async throws -> [OutboundEnvelope] {
        let id = inbound.envelope.id
        let fail: Bool = lock.withLock {
            guard inbound.message.partition == 0, failures[id, default: 0] < 2 else { return false }
            failures[id, default: 0] += 1
            return true
        }
        if fail { throw CancellationError() }
        lock.withLock { completed.append((inbound.message.partition, id)) }
        return []
    }

    var completions: [(partition: Int32, id: String)] { lock.withLock { completed } }
}

final class RoleWorkerRetryTests: XCTestCase {
    func testAFailingPartitionIsRetriedWhileTheOthersKeepFlowing() async throws {
        let fixture = try RuntimeFixture(topics: ["mesh.results", "mesh.deadletter"], partitions: 2)
        let (kafka, logger, keys) = (fixture.kafka, fixture.logger, fixture.keys)
        let handler = FlakyOnPartitionZero()
        let worker = try fixture.reviewer(handler) {
            $0.retry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(700), maxDelay: .seconds(2))
        }
        let running = Task { await worker.run() }
        try await eventually("the worker joins its group") { worker.isReady }

        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        defer { producer.close() }
        let sealer = EnvelopeSealer(signer: try KeyRingStore.loadSigner(principal: "coding", from: keys))
        // Five objectives per partition, chosen so the catalog's partitioner puts them there
        // (a record elsewhere would be dead-lettered as misrouted).
        let correlationIDs = (0..<100).map { "obj-\($0)" }
        let byPartition = [Int32(0), 1].map { partition in
            correlationIDs.filter { fixture.catalog.partitioner.partition(forKey: $0, partitions: 2) == partition }.prefix(5)
        }
        for index in 0..<10 {
            let correlationID = byPartition[index % 2][byPartition[index % 2].startIndex + index / 2]
            let envelope = Envelope(source: "/mesh/coding/c-1", correlationID: correlationID, payload: .taskResult(TaskResult(
                taskID: "t-\(index)", planID: "p", state: .completed, summary: "done", agentID: "c-1")))
            let report = try await MeshPublisher(producer: producer, sealer: sealer).publish(envelope, to: "mesh.results")
            XCTAssertEqual(report.partition, Int32(index % 2))
        }
        try await eventually("all ten processed", timeout: .seconds(60)) { handler.completions.count == 10 }
        let order = handler.completions.map(\.partition)
        let firstZero = try XCTUnwrap(order.firstIndex(of: 0))
        XCTAssertTrue(order[..<firstZero].allSatisfy { $0 == 1 } && firstZero >= 4,
                      "partition 1 finished its work while partition 0 was being retried: \(order)")
        XCTAssertEqual(worker.stats.retried, 10, "each of the 5 messages of partition 0 retried twice")
        XCTAssertEqual(worker.stats.deadLettered, 0)
        worker.stop()
        await running.value
    }
}
