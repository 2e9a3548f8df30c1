import Foundation
import Logging
import MeshKafka
import MeshTestSupport
import XCTest

/// Consume-transform-produce transactions: outputs and input offsets commit together, or
/// neither does.
///
/// The embedded broker (librdkafka 2.0.2's mock cluster) speaks the transaction protocol
/// (InitProducerId, AddPartitions, TxnOffsetCommit, EndTxn) but keeps no transaction state:
/// it neither stores offsets sent to a transaction nor writes commit or abort markers (so
/// aborted records stay visible), and it does not fence a re-initialised transactional id.
/// The tests of those guarantees run against a real Kafka (≥ 2.5) named by
/// `AGENTMESH_TEST_KAFKA_BOOTSTRAP` and are skipped otherwise; the protocol round trip and
/// rewind tests run on both.
final class TransactionTests: XCTestCase {
    func testCommittedTransactionIsVisibleToReadCommittedReadersWithItsInputOffsetsCommitted() async throws {
        let broker = try TransactionBroker()
        try XCTSkipUnless(broker.implementsTransactions, TransactionBroker.skipReason)
        let (consumer, producer, input, output, group) = try await transformInTransaction(broker, name: "commit")
        try producer.commitTransaction()

        let visible = try await broker.read(output, until: "out-in-2")
        XCTAssertEqual(visible, ["out-in-0", "out-in-1", "out-in-2"], "each output once, in order")
        // The coordinator writes the commit markers after EndTxn returns: the offsets become
        // stable in the group a moment later.
        let partition = TopicPartition(topic: input, partition: 0)
        var committed: [TopicPartition: Int64?] = [:]
        try await eventually("the input offsets committed with the outputs", timeout: .seconds(20)) {
            committed = (try? broker.inspector().committedOffsets(group: group, partitions: [partition])) ?? [:]
            return committed[partition] == 3
        }
        XCTAssertEqual(committed[partition], 3, "the input offsets committed with the outputs")
        consumer.close()
        producer.close()
    }

    func testAbortedTransactionIsInvisibleToReadCommittedReadersAndItsInputOffsetsAreNotCommitted() async throws {
        let broker = try TransactionBroker()
        try XCTSkipUnless(broker.implementsTransactions, TransactionBroker.skipReason)
        let (consumer, producer, input, output, group) = try await transformInTransaction(broker, name: "abort")
        try producer.abortTransaction()
        // A later committed transaction marks how far a reader has to read.
        try producer.beginTransaction()
        try await producer.send(OutgoingMessage(topic: output, value: Array("marker".utf8), partition: 0))
        try producer.commitTransaction()

        let visible = try await broker.read(output, until: "marker")
        XCTAssertEqual(visible, ["marker"], "no record of the aborted transaction is visible")
        let uncommitted = try await broker.read(output, until: "marker", isolation: "read_uncommitted")
        XCTAssertEqual(uncommitted, ["out-in-0", "out-in-1", "out-in-2", "marker"], "they were written, then aborted")
        let partition = TopicPartition(topic: input, partition: 0)
        let committed = try broker.inspector().committedOffsets(group: group, partitions: [partition])
        XCTAssertEqual(committed[partition].map { $0 == nil }, true, "no input offset committed: \(committed)")
        consumer.close()
        producer.close()
    }

    func testTransactionProtocolRoundTripCommitsTheOutputs() async throws {
        let broker = try TransactionBroker()
        let (input, output) = try broker.topics("protocol")
        let (consumer, inputs) = try await readInputs(broker, topic: input, group: broker.unique("tx-protocol"), count: 3)
        let producer = try broker.transactionalProducer(id: broker.unique("tx-protocol"))
        try producer.initTransactions()
        try producer.beginTransaction()
        try await sendOutputs(producer, for: inputs, topic: output, consumer: consumer)
        let offsets = consumer.takeTransactionOffsets()
        XCTAssertEqual(offsets, [TopicPartition(topic: input, partition: 0): 3], "the next offset after the done inputs")
        XCTAssertEqual(consumer.takeTransactionOffsets(), [:], "taken once")
        try producer.sendOffsetsToTransaction(offsets, group: try XCTUnwrap(consumer.groupMetadata()))
        try producer.commitTransaction()
        let visible = try await broker.read(output, until: "out-in-2")
        XCTAssertEqual(visible, ["out-in-0", "out-in-1", "out-in-2"])
        consumer.close()
        producer.close()
    }

    func testNewerProducerWithTheSameTransactionalIDFencesTheOlderOne() async throws {
        let broker = try TransactionBroker()
        // The mock gives a re-initialised transactional id a new producer id instead of
        // bumping the epoch, so it never fences.
        try XCTSkipUnless(broker.implementsTransactions, TransactionBroker.skipReason)
        let (_, output) = try broker.topics("fence")
        let id = broker.unique("tx-fence")
        let zombie = try broker.transactionalProducer(id: id)
        try zombie.initTransactions()
        try zombie.beginTransaction()
        try await zombie.send(OutgoingMessage(topic: output, value: Array("from-zombie".utf8), partition: 0))
        let successor = try broker.transactionalProducer(id: id)
        try successor.initTransactions()  // bumps the epoch: the zombie is fenced
        XCTAssertThrowsError(try zombie.commitTransaction()) { error in
            let kafkaError = error as? KafkaError
            XCTAssertEqual(kafkaError?.isFatal, true, "a fenced producer cannot go on: \(error)")
        }
        try successor.beginTransaction()
        try await successor.send(OutgoingMessage(topic: output, value: Array("from-successor".utf8), partition: 0))
        try successor.commitTransaction()
        let visible = try await broker.read(output, until: "from-successor")
        XCTAssertEqual(visible, ["from-successor"], "the fenced zombie's open transaction was aborted, not committed")
        zombie.close(timeout: .seconds(1))
        successor.close()
    }

    func testRewindToCommittedHandsTheInputsOutAgainAndMarksEarlierReadsStale() async throws {
        let broker = try TransactionBroker()
        let (input, _) = try broker.topics("rewind")
        let (consumer, inputs) = try await readInputs(broker, topic: input, group: broker.unique("tx-rewind"), count: 3)
        XCTAssertTrue(inputs.allSatisfy(consumer.isCurrent))
        consumer.markDone(inputs[0])
        let partition = TopicPartition(topic: input, partition: 0)
        let positions = try consumer.rewindToCommitted([partition])
        XCTAssertEqual(positions.count, 1, "nothing committed: back to where the group starts (\(positions))")
        XCTAssertFalse(inputs.contains(where: consumer.isCurrent), "reads from before the rewind are stale")
        XCTAssertEqual(consumer.takeTransactionOffsets(), [:], "offsets of stale reads are dropped")
        consumer.markDone(inputs[1])
        XCTAssertEqual(consumer.takeTransactionOffsets(), [:], "a stale read marked done collects no offset")
        var again: [ConsumedMessage] = []
        for await message in consumer.messages {
            again.append(message)
            if again.count == 3 { break }
        }
        XCTAssertEqual(again.map { String(decoding: $0.value, as: UTF8.self) }, ["in-0", "in-1", "in-2"])
        XCTAssertTrue(again.allSatisfy(consumer.isCurrent))
        consumer.markDone(again[0])
        XCTAssertEqual(consumer.takeTransactionOffsets(), [partition: 1])
        consumer.close()
    }

    // MARK: - Helpers

    /// Reads three inputs, and in an open transaction produces one output each and sends
    /// their offsets; the caller commits or aborts.
    private func transformInTransaction(_ broker: TransactionBroker, name: String) async throws
        -> (consumer: KafkaConsumer, producer: KafkaProducer, input: String, output: String, group: String)
    {
        let (input, output) = try broker.topics(name)
        let group = broker.unique("tx-\(name)")
        let (consumer, inputs) = try await readInputs(broker, topic: input, group: group, count: 3)
        let producer = try broker.transactionalProducer(id: broker.unique("tx-\(name)"))
        try producer.initTransactions()
        try producer.beginTransaction()
        try await sendOutputs(producer, for: inputs, topic: output, consumer: consumer)
        try producer.sendOffsetsToTransaction(
            consumer.takeTransactionOffsets(), group: try XCTUnwrap(consumer.groupMetadata()))
        return (consumer, producer, input, output, group)
    }

    /// Produces `count` inputs and reads them with a transactional-offsets group consumer.
    private func readInputs(_ broker: TransactionBroker, topic: String, group: String, count: Int) async throws
        -> (KafkaConsumer, [ConsumedMessage])
    {
        let plain = try KafkaProducer(configuration: broker.configuration, logger: broker.logger)
        for index in 0..<count {
            try await plain.send(OutgoingMessage(topic: topic, value: Array("in-\(index)".utf8), partition: 0))
        }
        plain.close()
        let consumer = try KafkaConsumer(
            configuration: broker.configuration, subscription: .group(groupID: group, topics: [topic]),
            logger: broker.logger, offsetCommits: .inTransactions)
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
}

/// The embedded broker, or a real Kafka from `AGENTMESH_TEST_KAFKA_BOOTSTRAP`.
struct TransactionBroker {
    static let skipReason = """
        needs a broker that implements transactions: the embedded broker (librdkafka's mock cluster) ignores \
        offsets sent to a transaction and writes no commit/abort markers. Set AGENTMESH_TEST_KAFKA_BOOTSTRAP=host:port \
        to run this against a real Kafka ≥ 2.5.
        """

    let logger = Logger(label: "test")
    let configuration: KafkaConfiguration
    let implementsTransactions: Bool
    private let embedded: EmbeddedKafkaCluster?
    private let run = UUID().uuidString.prefix(8)

    init() throws {
        if let bootstrap = ProcessInfo.processInfo.environment["AGENTMESH_TEST_KAFKA_BOOTSTRAP"] {
            embedded = nil
            configuration = KafkaConfiguration(bootstrapServers: bootstrap, properties: ["session.timeout.ms": "6000"])
            implementsTransactions = true
        } else {
            let cluster = try EmbeddedKafkaCluster(brokers: 3, logger: Logger(label: "embedded"))
            embedded = cluster
            configuration = KafkaConfiguration(
                bootstrapServers: cluster.bootstrapServers, properties: EmbeddedKafkaCluster.recommendedClientProperties)
            implementsTransactions = false
        }
    }

    func unique(_ name: String) -> String { "\(name)-\(run)" }

    /// An input and an output topic of one partition each.
    func topics(_ name: String) throws -> (input: String, output: String) {
        let input = unique("\(name)-in")
        let output = unique("\(name)-out")
        if let embedded {
            try embedded.createTopic(input, partitions: 1)
            try embedded.createTopic(output, partitions: 1)
        } else {
            _ = try KafkaAdmin(configuration: configuration, logger: logger).createTopics([
                NewTopic(name: input, partitions: 1, replicationFactor: 1),
                NewTopic(name: output, partitions: 1, replicationFactor: 1),
            ])
        }
        return (input, output)
    }

    func transactionalProducer(id: String) throws -> KafkaProducer {
        try KafkaProducer(
            configuration: configuration.merging(["transactional.id": id, "message.timeout.ms": "30000"]), logger: logger)
    }

    func inspector() throws -> ConsumerGroupInspector {
        try ConsumerGroupInspector(configuration: configuration, logger: logger)
    }

    /// Reads partition 0 of `topic` from the start until the record `last` (20 s at most).
    func read(_ topic: String, until last: String, isolation: String = "read_committed") async throws -> [String] {
        let reader = try KafkaConsumer(
            configuration: configuration.merging(["isolation.level": isolation]),
            subscription: .partitions([TopicPartition(topic: topic, partition: 0)]), logger: logger)
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
        XCTFail("\(last) not read from \(topic) within 20 s; read \(values)")
        return values
    }
}
