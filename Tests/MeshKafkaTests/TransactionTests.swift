import MeshKafka
import MeshTestSupport
import XCTest

/// Consume-transform-produce transactions against the embedded broker: outputs and input
/// offsets commit together, or neither does.
final class TransactionTests: XCTestCase {
    func testCommittedTransactionIsVisibleToReadCommittedReadersWithItsInputOffsetsCommitted() async throws {
        let fixture = try EmbeddedClusterFixture()
        try fixture.cluster.createTopic("tx-in", partitions: 1)
        try fixture.cluster.createTopic("tx-out", partitions: 1)
        let (consumer, inputs) = try await readInputs(fixture, topic: "tx-in", group: "tx-commit", count: 3)
        let producer = try transactionalProducer(fixture, id: "tx-commit-1")
        try producer.initTransactions()
        try producer.beginTransaction()
        try await sendOutputs(producer, for: inputs, topic: "tx-out", consumer: consumer)
        try producer.sendOffsetsToTransaction(
            consumer.takeTransactionOffsets(), group: try XCTUnwrap(consumer.groupMetadata()))
        try producer.commitTransaction()

        let visible = try await readCommitted(fixture, topic: "tx-out", until: "out-in-2")
        XCTAssertEqual(visible, ["out-in-0", "out-in-1", "out-in-2"], "each output once, in order")
        let committed = try ConsumerGroupInspector(configuration: fixture.configuration, logger: fixture.logger)
            .committedOffsets(group: "tx-commit", partitions: [TopicPartition(topic: "tx-in", partition: 0)])
        XCTAssertEqual(committed[TopicPartition(topic: "tx-in", partition: 0)], 3, "the input offsets committed with it")
        consumer.close()
        producer.close()
    }

    func testAbortedTransactionIsInvisibleAndItsInputOffsetsAreNotCommittedSoTheInputsAreReadAgain() async throws {
        let fixture = try EmbeddedClusterFixture()
        try fixture.cluster.createTopic("tx-in", partitions: 1)
        try fixture.cluster.createTopic("tx-out", partitions: 1)
        let (consumer, inputs) = try await readInputs(fixture, topic: "tx-in", group: "tx-abort", count: 3)
        let producer = try transactionalProducer(fixture, id: "tx-abort-1")
        try producer.initTransactions()
        try producer.beginTransaction()
        try await sendOutputs(producer, for: inputs, topic: "tx-out", consumer: consumer)
        try producer.sendOffsetsToTransaction(
            consumer.takeTransactionOffsets(), group: try XCTUnwrap(consumer.groupMetadata()))
        try producer.abortTransaction()
        // A later committed transaction marks how far a reader has to read.
        try producer.beginTransaction()
        try await producer.send(OutgoingMessage(topic: "tx-out", value: Array("marker".utf8)))
        try producer.commitTransaction()

        let visible = try await readCommitted(fixture, topic: "tx-out", until: "marker")
        XCTAssertEqual(visible, ["marker"], "no record of the aborted transaction is visible")
        let uncommitted = try await read(
            fixture, topic: "tx-out", until: "marker", properties: ["isolation.level": "read_uncommitted"])
        XCTAssertEqual(uncommitted, ["out-in-0", "out-in-1", "out-in-2", "marker"], "they were written, then aborted")
        let input = TopicPartition(topic: "tx-in", partition: 0)
        let committed = try ConsumerGroupInspector(configuration: fixture.configuration, logger: fixture.logger)
            .committedOffsets(group: "tx-abort", partitions: [input])
        XCTAssertEqual(committed[input].map { $0 == nil }, true, "the group has no committed offset: \(committed)")

        // Rewinding after the abort hands the same inputs out again; the old reads are stale.
        try consumer.rewindToCommitted([input])
        XCTAssertFalse(consumer.isCurrent(inputs[0]), "reads from before the rewind are not current")
        var again: [String] = []
        for await message in consumer.messages {
            XCTAssertTrue(consumer.isCurrent(message))
            again.append(String(decoding: message.value, as: UTF8.self))
            if again.count == 3 { break }
        }
        XCTAssertEqual(again, ["in-0", "in-1", "in-2"])
        consumer.close()
        producer.close()
    }

    // MARK: - Helpers

    private func transactionalProducer(_ fixture: EmbeddedClusterFixture, id: String) throws -> KafkaProducer {
        try KafkaProducer(
            configuration: fixture.configuration.merging(["transactional.id": id, "message.timeout.ms": "30000"]),
            logger: fixture.logger)
    }

    /// Produces `count` inputs and reads them with a transactional-offsets group consumer.
    private func readInputs(_ fixture: EmbeddedClusterFixture, topic: String, group: String, count: Int) async throws
        -> (KafkaConsumer, [ConsumedMessage])
    {
        let plain = try fixture.producer()
        for index in 0..<count {
            try await plain.send(OutgoingMessage(topic: topic, value: Array("in-\(index)".utf8), partition: 0))
        }
        plain.close()
        let consumer = try KafkaConsumer(
            configuration: fixture.configuration, subscription: .group(groupID: group, topics: [topic]),
            logger: fixture.logger, offsetCommits: .inTransactions)
        var inputs: [ConsumedMessage] = []
        for await message in consumer.messages {
            inputs.append(message)
            if inputs.count == count { break }
        }
        return (consumer, inputs)
    }

    private func sendOutputs(
        _ producer: KafkaProducer, for inputs: [ConsumedMessage], topic: String, consumer: KafkaConsumer
    ) async throws {
        for input in inputs {
            let value = "out-" + String(decoding: input.value, as: UTF8.self)
            try await producer.send(OutgoingMessage(topic: topic, value: Array(value.utf8), partition: 0))
            consumer.markDone(input)
        }
    }

    private func readCommitted(_ fixture: EmbeddedClusterFixture, topic: String, until last: String) async throws -> [String] {
        try await read(fixture, topic: topic, until: last, properties: [:])
    }

    /// Reads partition 0 of `topic` from the start until the record `last`.
    private func read(
        _ fixture: EmbeddedClusterFixture, topic: String, until last: String, properties: [String: String]
    ) async throws -> [String] {
        let reader = try KafkaConsumer(
            configuration: fixture.configuration.merging(properties),
            subscription: .partitions([TopicPartition(topic: topic, partition: 0)]), logger: fixture.logger)
        defer { reader.close() }
        let watchdog = Task {
            try await Task.sleep(for: .seconds(20))
            reader.close()
        }
        defer { watchdog.cancel() }
        var values: [String] = []
        for await message in reader.messages {
            values.append(String(decoding: message.value, as: UTF8.self))
            if values.last == last { return values }
        }
        XCTFail("\(last) not read within 20 s; read \(values)")
        return values
    }
}
