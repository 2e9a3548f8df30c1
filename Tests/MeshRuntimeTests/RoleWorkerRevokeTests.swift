import Foundation
import Logging
import MeshKafka
import MeshRuntime
import MeshSigning
import MeshTestSupport
import MeshTransport
import MeshWire
import XCTest

/// A handler that, like the orchestrator, holds state per owned partition and answers an
/// input of a partition it does not own (state dropped on revoke) with nothing. Its first
/// call waits until the test opens the gate; `blockEverything` makes every call wait.
final class PartitionStateHandler: RoleHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var owned: Set<Int32> = []
    private var gateOpen = false
    private var started = 0
    private(set) var revocations = 0
    /// Inputs handed to the handler while their partition was not owned.
    private(set) var callsWhileRevoked = 0
    let blockEverything: Bool

    init(blockEverything: Bool = false) { self.blockEverything = blockEverything }

    func prepare(partition: Int32) async throws { _ = lock.withLock { owned.insert(partition) } }

    func revoked(partitions: [Int32]) async {
        lock.withLock {
            owned.subtract(partitions)
            revocations += 1
        }
    }

    func open() { lock.withLock { gateOpen = true } }

    var calls: Int { lock.withLock { started } }

    func handle(_ inbound: InboundEnvelope) async throws -> [OutboundEnvelope] {
        let waits: Bool = lock.withLock {
            started += 1
            if !owned.contains(inbound.message.partition) { callsWhileRevoked += 1 }
            return blockEverything || started == 1
        }
        if waits {
            while !lock.withLock({ gateOpen }) { try await Task.sleep(for: .milliseconds(20)) }
        }
        guard lock.withLock({ owned.contains(inbound.message.partition) }),
              case .taskResult(let result) = inbound.envelope.payload else { return [] }
        return [verdict(answering: inbound, result)]
    }
}

/// "Seen means applied": an input queued for a partition that was revoked is dropped, not
/// handled, and is not remembered as seen, so when the partition comes back it is handled.
/// Before, the retiring lane handled it against state the instance no longer had (no
/// output), remembered its id, and dropped its redelivery as a duplicate: it never had an
/// effect.
final class RoleWorkerRevokeTests: XCTestCase {
    func testInputsQueuedAtARevokeAreHandledWhenThePartitionComesBack() async throws {
        let fixture = try RuntimeFixture(
            topics: ["mesh.results", "mesh.verdicts", "mesh.deadletter", "mesh.agents"], partitions: 1)
        let (kafka, logger, keys) = (fixture.kafka, fixture.logger, fixture.keys)
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        defer { producer.close() }
        let publisher = MeshPublisher(producer: producer, sealer: EnvelopeSealer(
            signer: try KeyRingStore.loadSigner(principal: "coding", from: keys)))
        let results = (1...5).map { index in
            Envelope(source: "/mesh/coding/c-1", correlationID: "obj-\(index)", payload: .taskResult(TaskResult(
                taskID: "t-\(index)", planID: "p-\(index)", state: .completed, summary: "done", agentID: "c-1")))
        }
        for result in results { try await publisher.publish(result, to: "mesh.results") }

        let first = PartitionStateHandler()
        let worker1 = try fixture.reviewer(first) { $0.drainTimeout = .seconds(2) }
        let running1 = Task { await worker1.run() }
        try await eventually("the first input is being handled, the other four queued behind it") { first.calls == 1 }

        // A second member joins: the partition is revoked from the first while four inputs wait.
        let second = PartitionStateHandler(blockEverything: true)
        let worker2 = try fixture.reviewer(second) {
            $0.instanceID = "r-2"
            $0.drainTimeout = .seconds(2)
        }
        let running2 = Task { await worker2.run() }
        try await eventually("the first member's partition is revoked", timeout: .seconds(60)) { first.revocations >= 1 }
        first.open()
        // The second member, if it got the partition, completes nothing and leaves.
        worker2.stop()
        await running2.value

        let verdicts = Gathered<String>()
        let consumer = try KafkaConsumer(
            configuration: kafka, subscription: .partitions([TopicPartition(topic: "mesh.verdicts", partition: 0)]), logger: logger)
        defer { consumer.close() }
        let subscriber = MeshSubscriber(consumer: consumer, opener: try fixture.opener(), deadLetters: nil, logger: logger)
        let reading = Task { while let inbound = await subscriber.next() { await verdicts.append(inbound.envelope.causationID) } }
        try await eventually("every result gets its verdict once the partition is back", timeout: .seconds(90)) {
            Set(await verdicts.values).count == results.count
        }
        XCTAssertEqual(first.callsWhileRevoked, 0, "inputs read before the revoke were handed to the handler after it")
        let answered = Set(await verdicts.values)
        XCTAssertEqual(answered, Set(results.map(\.id)))
        reading.cancel()
        worker1.stop()
        await running1.value
    }
}
